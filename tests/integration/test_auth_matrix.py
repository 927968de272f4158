"""Every route in the app × every kind of caller → the expected status class.

Routes are enumerated from Litestar's route table, so a new route fails this test until it is
classified in ``ROUTES`` below (and a removed one fails until its row is dropped).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from datetime import timedelta

import pytest

from hub.api.auth import CSRF_COOKIE, SESSION_COOKIE
from hub.api.routes import DASHBOARD_VIEWS
from hub.api.sessions import csrf_token
from hub.lib.secrets import new_token, token_hash

OK = "ok"  # reaches the handler: any status but 401 and 403
DENY = 403
NOAUTH = 401

PUBLIC = "public"
READ = "read"
WRITE = "write"
ADMIN = "admin"
SELF = "self"
INGEST = "ingest"
HEARTBEAT = "heartbeat"
LINK = "link"

ROUTES: dict[tuple[str, str], str] = {
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/readyz"): PUBLIC,
    ("GET", "/login"): LINK,
    ("POST", "/api/v1/session"): PUBLIC,
    ("DELETE", "/api/v1/session"): PUBLIC,
    ("POST", "/api/v1/session/link"): ADMIN,
    ("GET", "/api/v1/about"): READ,
    ("POST", "/api/v1/setup"): PUBLIC,
    ("GET", "/"): PUBLIC,
    ("GET", "/{file_path:path}"): PUBLIC,
    ("HEAD", "/{file_path:path}"): PUBLIC,
    ("GET", "/schema"): PUBLIC,
    ("GET", "/schema/elements"): PUBLIC,
    ("GET", "/schema/redoc"): PUBLIC,
    ("GET", "/schema/rapidoc"): PUBLIC,
    ("GET", "/schema/swagger"): PUBLIC,
    ("GET", "/schema/openapi.json"): PUBLIC,
    ("GET", "/schema/openapi.yml"): PUBLIC,
    ("GET", "/schema/openapi.yaml"): PUBLIC,
    ("GET", "/schema/{path:str}"): PUBLIC,
    ("GET", "/schema/oauth2-redirect.html"): PUBLIC,
    ("GET", "/metrics"): READ,
    ("GET", "/api/v1/series"): READ,
    ("GET", "/api/v1/series/forecast"): READ,
    ("GET", "/api/v1/series/compare"): READ,
    ("GET", "/api/v1/metrics/current"): READ,
    ("GET", "/api/v1/events"): READ,
    ("GET", "/api/v1/rules"): READ,
    ("POST", "/api/v1/rules"): WRITE,
    ("GET", "/api/v1/rules/export"): READ,
    ("GET", "/api/v1/rules/{name:str}"): READ,
    ("PUT", "/api/v1/rules/{name:str}"): WRITE,
    ("DELETE", "/api/v1/rules/{name:str}"): WRITE,
    ("GET", "/api/v1/topology"): READ,
    ("GET", "/api/v1/alerts"): READ,
    ("GET", "/api/v1/alerts/{alert_id:int}"): READ,
    ("GET", "/api/v1/alerts/{alert_id:int}/history"): READ,
    ("POST", "/api/v1/alerts/{alert_id:int}/ack"): WRITE,
    ("POST", "/api/v1/alerts/{alert_id:int}/resolve"): WRITE,
    ("POST", "/api/v1/alerts/{alert_id:int}/unack"): WRITE,
    ("GET", "/api/v1/silences"): READ,
    ("GET", "/api/v1/maintenance"): READ,
    ("POST", "/api/v1/silences"): WRITE,
    ("GET", "/api/v1/silences/{silence_id:str}"): READ,
    ("POST", "/api/v1/silences/{silence_id:str}/expire"): WRITE,
    ("POST", "/api/v1/ingest"): INGEST,
    ("GET", "/api/v1/hosts"): READ,
    ("POST", "/api/v1/heartbeats/{name:str}"): HEARTBEAT,
    ("GET", "/api/v1/heartbeats"): READ,
    ("GET", "/api/v1/tokens"): ADMIN,
    ("POST", "/api/v1/tokens"): ADMIN,
    ("DELETE", "/api/v1/tokens/{name:str}"): ADMIN,
    ("GET", "/api/v1/users"): ADMIN,
    ("POST", "/api/v1/users"): ADMIN,
    ("DELETE", "/api/v1/users/{name:str}"): ADMIN,
    ("POST", "/api/v1/users/{name:str}/password"): ADMIN,
    ("DELETE", "/api/v1/users/{name:str}/totp"): ADMIN,
    ("GET", "/api/v1/users/{name:str}/sessions"): ADMIN,
    ("DELETE", "/api/v1/users/{name:str}/sessions"): ADMIN,
    ("GET", "/api/v1/sessions"): ADMIN,
    ("DELETE", "/api/v1/sessions/{session_id:str}"): ADMIN,
    ("GET", "/api/v1/me"): READ,
    ("POST", "/api/v1/me/password"): SELF,
    ("POST", "/api/v1/me/totp"): SELF,
    ("PUT", "/api/v1/me/totp"): SELF,
    ("DELETE", "/api/v1/me/totp"): SELF,
    ("GET", "/api/v1/push/vapid-public-key"): READ,
    ("POST", "/api/v1/push/subscriptions"): SELF,  # any signed-in user may get pushes
    ("GET", "/api/v1/push/subscriptions"): READ,
    ("PATCH", "/api/v1/push/subscriptions/{sub_id:int}"): WRITE,
    ("DELETE", "/api/v1/push/subscriptions/{sub_id:int}"): WRITE,
    ("GET", "/api/v1/channels"): READ,
    ("POST", "/api/v1/channels/{name:str}/test"): WRITE,
    ("GET", "/api/v1/notifications/deliveries"): READ,
}
ROUTES.update(
    {
        ("GET", path): PUBLIC  # the dashboard's deep links: its index.html, no data
        for view in DASHBOARD_VIEWS
        for path in (f"/{view}", f"/{view}/{{rest:path}}")
    }
)
"""Every (method, route) of the app and who may call it."""

CALLERS = (
    "none",
    "viewer",
    "admin-session",
    "admin-token",
    "admin-scope",
    "read",
    "ingest",
    "heartbeat",
    "expired",
    "no-csrf",
    "wrong-csrf",
)


def expected(category: str, caller: str, method: str) -> object:
    """The status class ``caller`` gets from a route of ``category``."""
    write = method not in ("GET", "HEAD")
    if method == "OPTIONS":
        return 204  # Litestar answers it itself, for anyone: it only lists the methods
    if category == PUBLIC:
        return OK
    if category == LINK:
        return NOAUTH  # an invalid link is refused whoever asks
    if caller in ("none", "expired"):
        return NOAUTH
    if caller in ("admin-session", "admin-token", "admin-scope"):
        return OK
    if caller in ("no-csrf", "wrong-csrf"):
        return DENY if write else OK
    if caller == "viewer":
        return OK if category == SELF or (category == READ and not write) else DENY
    if caller == "read":
        return OK if category == READ else DENY
    return OK if category == caller else DENY  # ingest and heartbeat tokens


def concrete(path: str) -> str:
    """A requestable path for a route pattern (parameters filled with harmless values)."""
    path = re.sub(r"\{[^}:]+:int\}", "1", path)
    path = re.sub(r"\{file_path:path\}", "index.html", path)
    return re.sub(r"\{[^}]+\}", "x", path)


async def session_cookies(hub, user: str | None, *, expired: bool = False) -> dict[str, str]:
    """A fresh session straight in the store (cheaper than a password sign-in per cell)."""
    token = new_token()
    now = hub.clock.now()
    start = now - timedelta(days=40) if expired else now
    async with hub.state.store.tx() as tx:
        await tx.auth.add_session(
            token_hash(token), user or "admin", start, start + timedelta(days=30)
        )
        if user:
            await tx.users.link_session(token_hash(token), user)
    return {SESSION_COOKIE: token, CSRF_COOKIE: csrf_token(token)}


async def request_as(hub, caller: str, method: str, path: str, tokens: dict[str, str]) -> int:
    headers: dict[str, str] = {}
    cookies: dict[str, str] = {}
    if caller in ("viewer", "admin-session", "no-csrf", "wrong-csrf", "expired"):
        user = {"viewer": "watcher", "expired": None}.get(caller, "root")
        cookies = await session_cookies(hub, user, expired=caller == "expired")
        if caller == "wrong-csrf":  # another session's token
            headers["X-CSRF-Token"] = csrf_token(new_token())
        elif caller != "no-csrf":
            headers["X-CSRF-Token"] = cookies[CSRF_COOKIE]
    elif caller == "admin-token":
        headers["Authorization"] = f"Bearer {hub.state.admin_token}"
    elif caller in tokens:
        headers["Authorization"] = f"Bearer {tokens[caller]}"
    hub.client.cookies.clear()
    for name, value in cookies.items():
        hub.client.cookies.set(name, value)
    if (
        path == "/api/v1/events" and method == "GET"
    ):  # never ends: only its response start is awaited
        return await status_of_stream(hub, path, headers, cookies)
    body = None if method in ("GET", "HEAD", "DELETE") else {}
    response = await hub.client.request(method, path, headers=headers, json=body)
    return response.status_code


async def status_of_stream(hub, path: str, headers: dict[str, str], cookies: dict[str, str]):
    """The status of a streaming GET, called on the ASGI app directly (the test client would
    wait for the body to end)."""
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    if cookies:
        raw.append((b"cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()).encode()))
    raw.append((b"host", b"testserver.local"))
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
        "root_path": "", "headers": raw, "client": ("127.0.0.1", 1), "server": ("t", 80),
    }  # fmt: skip
    started: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    async def receive():
        await asyncio.Event().wait()  # the client never sends a body nor disconnects

    async def send(message):
        if message["type"] == "http.response.start" and not started.done():
            started.set_result(message["status"])

    task = asyncio.create_task(hub.client.app(scope, receive, send))
    try:
        return await asyncio.wait_for(started, 10)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_every_route_answers_every_caller_as_classified(hub):
    app = hub.client.app
    found = {
        (method, route.path)
        for route in app.routes
        for method in route.methods
        if method != "OPTIONS"
    }
    options = sorted(route.path for route in app.routes if "OPTIONS" in route.methods)
    assert len(options) == len(app.routes)
    assert sorted(found - ROUTES.keys()) == [], "classify these new routes in ROUTES"
    assert sorted(ROUTES.keys() - found) == [], "these routes are gone: drop them from ROUTES"

    for user, role in (("root", "admin"), ("watcher", "viewer")):
        created = await hub.client.post(
            "/api/v1/users",
            json={"name": user, "role": role, "password": "a long password"},
            headers={"Authorization": f"Bearer {hub.state.admin_token}"},
        )
        assert created.status_code == 201
    tokens = {}
    for scope, caller in (("admin", "admin-scope"), ("read", "read"), ("ingest", "ingest"),
                          ("heartbeat", "heartbeat")):  # fmt: skip
        made = await hub.client.post(
            "/api/v1/tokens",
            json={"name": f"matrix-{scope}", "scope": scope},
            headers={"Authorization": f"Bearer {hub.state.admin_token}"},
        )
        tokens[caller] = made.json()["token"]

    cells = sorted(ROUTES.items())
    cells += [(("OPTIONS", pattern), PUBLIC) for pattern in options]
    wrong = []
    for (method, pattern), category in cells:
        path = concrete(pattern)
        for caller in CALLERS:
            status = await request_as(hub, caller, method, path, tokens)
            want = expected(category, caller, method)
            got_ok = status not in (401, 403)
            if (want == OK and not got_ok) or (want != OK and status != want):
                wrong.append(f"{method} {path} as {caller}: {status}, expected {want}")
    assert wrong == []


async def test_security_headers_are_on_every_kind_of_response(hub):
    for path in ("/healthz", "/api/v1/alerts", "/index.html", "/nope"):
        response = await hub.client.get(path)
        csp = response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert "script-src 'self'" in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["x-frame-options"] == "DENY"
        assert "strict-transport-security" not in response.headers  # plain http here


async def test_the_dashboard_shell_needs_no_inline_script_or_style(hub):
    response = await hub.client.get("/")
    if response.status_code == 503:
        pytest.skip("the dashboard is not built (make build)")
    html = response.text
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts
    assert all(" src=" in tag for tag in scripts)  # CSP script-src 'self' refuses inline ones
    assert "<style" not in html
    assert not re.search(r"\sstyle=|\son[a-z]+=", html)
