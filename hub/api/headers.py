"""Security headers on every response, and the CSRF cookie for sessions that lack it."""

from __future__ import annotations

from litestar.datastructures import Cookie
from litestar.types import Message, Scope

from hub.api.auth import CSRF_COOKIE
from hub.api.sessions import SESSION_LIFETIME

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; worker-src 'self'; manifest-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
"""No inline scripts or styles (the built dashboard has none; a test checks index.html)."""
SCHEMA_CSP = "frame-ancestors 'none'; object-src 'none'; base-uri 'none'"
"""The OpenAPI pages load their renderer from a CDN with an inline bootstrap script."""

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
)


async def security_headers(message: Message, scope: Scope) -> None:
    """Adds the headers to each response start; also (re)issues the CSRF cookie when the
    auth middleware found a live session without it (sessions from before CSRF existed)."""
    if message["type"] != "http.response.start":
        return
    path = scope["path"]
    csp = SCHEMA_CSP if path.startswith("/schema") else CSP
    extra = [*SECURITY_HEADERS, (b"content-security-policy", csp.encode())]
    if scope.get("scheme") == "https":
        extra.append((b"strict-transport-security", b"max-age=31536000"))
    csrf = scope.get("state", {}).get("csrf_cookie")
    if csrf:
        cookie = Cookie(
            key=CSRF_COOKIE,
            value=csrf,
            path="/",
            samesite="lax",
            secure=scope.get("scheme") == "https",
            max_age=int(SESSION_LIFETIME.total_seconds()),
        )
        extra.append((b"set-cookie", cookie.to_header(header="").strip().encode()))
    message["headers"] = [*message.get("headers", ()), *extra]
