"""Security headers and the CSRF cookie added to responses."""

from __future__ import annotations

from hub.api.headers import security_headers


async def respond(scope):
    message = {"type": "http.response.start", "status": 200, "headers": []}
    await security_headers(message, scope)
    return {k.decode(): v.decode() for k, v in message["headers"]}


async def test_https_responses_also_get_hsts_and_a_secure_csrf_cookie():
    headers = await respond({"path": "/", "scheme": "https", "state": {"csrf_cookie": "abc"}})
    assert headers["strict-transport-security"] == "max-age=31536000"
    cookie = headers["set-cookie"]
    assert cookie.startswith("tcf_csrf=abc;")
    assert "Secure" in cookie
    assert "HttpOnly" not in cookie


async def test_the_schema_pages_get_a_csp_that_lets_their_renderer_run():
    headers = await respond({"path": "/schema/swagger", "scheme": "http"})
    assert "script-src" not in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "strict-transport-security" not in headers
    assert "set-cookie" not in headers


async def test_body_messages_are_left_alone():
    message = {"type": "http.response.body", "body": b""}
    await security_headers(message, {"path": "/"})
    assert "headers" not in message
