"""Auth (C3): bearer admin token, a scoped API token, or a session cookie with its role."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import msgspec
from litestar import Request, Response, delete, get, post
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from litestar.exceptions import (
    ClientException,
    NotAuthorizedException,
    PermissionDeniedException,
)
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.params import FromQuery, JSONBody
from litestar.response import Redirect
from litestar.status_codes import HTTP_204_NO_CONTENT

from hub.api.access import PUBLIC
from hub.api.schemas import SessionCreate
from hub.api.sessions import ADMIN, SESSION_LIFETIME, LoginRefusedError, csrf_token
from hub.api.state import HubState
from hub.api.tokens import ApiTokens
from hub.domain.tokens import TokenScope, scope_allows, scope_routes
from hub.domain.users import Role, is_write
from hub.lib.secrets import same_token

SESSION_COOKIE = "tcf_session"
ACK_PATH = re.compile(r"^/api/v1/alerts/\d+/ack$")
"""The one route open without auth when its body holds an ack token."""
CSRF_COOKIE = "tcf_csrf"
"""Readable by the dashboard's script, which sends it back in ``CSRF_HEADER`` on writes."""
CSRF_HEADER = "x-csrf-token"


class Principal(msgspec.Struct, frozen=True):
    """Who made a request (``request.auth``); ``request.user`` is its ``name``."""

    name: str
    role: Role
    kind: str
    """``token`` (admin token), ``api-token`` or ``session``."""
    scope: TokenScope | None = None
    user: str | None = None
    """The dashboard user behind a session (None for the admin token and link sessions)."""


class TokenAuth(AbstractAuthenticationMiddleware):
    """Sets ``request.user`` and ``request.auth`` or answers 401 (no or dead credentials) or
    403: a token outside its scope, a viewer writing, a non-admin on an admin-only route, or a
    cookie-authenticated write without the CSRF token or from another origin."""

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        hub: HubState = connection.app.state.hub
        access = connection.route_handler.opt.get("access")
        method = str(connection.scope.get("method", ""))
        header = connection.headers.get("authorization", "")
        if header[:7].lower() == "bearer ":
            given = header[7:].strip()
            if same_token(given, hub.admin_token):
                return _result(Principal(ADMIN, Role.ADMIN, "token"))
            token = await ApiTokens(hub.store, hub.clock, hub.known_tokens).check(given)
            if token is None:
                raise NotAuthorizedException("invalid or revoked token")
            path = connection.scope["path"]
            if not scope_allows(token.scope, method, path, admin_only=access == "admin"):
                raise PermissionDeniedException(
                    f"token {token.name!r} has scope {token.scope.value}: it may only call "
                    f"{scope_routes(token.scope)}"
                )
            role = Role.ADMIN if token.scope is TokenScope.ADMIN else Role.VIEWER
            return _result(Principal(f"token:{token.name}", role, "api-token", token.scope))
        session = connection.cookies.get(SESSION_COOKIE)
        if not session:
            if method == "POST" and ACK_PATH.match(connection.scope["path"]):
                # A push's Acknowledge action carries an ack token instead (C9); the handler
                # checks it (the service worker sends no cookie, so no CSRF token either).
                return AuthenticationResult(user=None, auth=None)
            raise NotAuthorizedException(
                "authentication required: send 'Authorization: Bearer <token>' or sign in"
            )
        owner = await hub.sessions.owner(session)
        if owner is None:
            raise NotAuthorizedException("your session expired or was ended: sign in again")
        expected = csrf_token(session)
        if connection.cookies.get(CSRF_COOKIE) != expected:
            connection.scope.setdefault("state", {})["csrf_cookie"] = expected
        if is_write(method):
            _check_csrf(connection, expected)
        if owner.role is not Role.ADMIN and (
            access == "admin" or (is_write(method) and access != "self")
        ):
            raise PermissionDeniedException(
                f"{owner.principal!r} is a {owner.role.value}: this needs the admin role"
            )
        return _result(Principal(owner.principal, owner.role, "session", user=owner.user))


def _result(principal: Principal) -> AuthenticationResult:
    return AuthenticationResult(user=principal.name, auth=principal)


def _check_csrf(connection: ASGIConnection[Any, Any, Any, Any], expected: str) -> None:
    """Cookies ride along on cross-site requests; a page elsewhere can neither read the CSRF
    cookie to echo it nor forge an Origin header."""
    given = connection.headers.get(CSRF_HEADER, "")
    if not given or not same_token(given, expected):
        raise PermissionDeniedException(
            f"missing or wrong {CSRF_HEADER} header (send the {CSRF_COOKIE} cookie's value)"
        )
    origin = connection.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != connection.headers.get("host"):
        raise PermissionDeniedException(f"cross-origin write refused (Origin: {origin})")


__all__ = ["PUBLIC", "Principal", "TokenAuth"]


def unauthenticated_paths(metrics_public: bool) -> list[str]:
    """Path patterns open without auth: the OpenAPI schema, and /metrics when made public."""
    return [r"^/schema", *([r"^/metrics$"] if metrics_public else [])]


def session_cookies(request: Request[Any, Any, Any], token: str) -> list[Cookie]:
    """The session cookie (HttpOnly) and its CSRF companion (readable by the dashboard)."""
    common: dict[str, Any] = {
        "path": "/",
        "samesite": "lax",
        "secure": request.url.scheme == "https",
        "max_age": int(SESSION_LIFETIME.total_seconds()),
    }
    return [
        Cookie(key=SESSION_COOKIE, value=token, httponly=True, **common),
        Cookie(key=CSRF_COOKIE, value=csrf_token(token), httponly=False, **common),
    ]


def client_address(request: Request[Any, Any, Any]) -> str:
    """The caller's address, for throttling sign-ins."""
    return request.client.host if request.client else "unknown"


def refused(error: LoginRefusedError) -> Exception:
    """The HTTP error for a refused sign-in: 429 with Retry-After when throttled, else 401."""
    if error.retry_after is not None:
        return ClientException(
            str(error), status_code=429, headers={"Retry-After": str(error.retry_after)}
        )
    extra = {"totp_required": True} if error.totp_required else None
    return NotAuthorizedException(str(error), extra=extra)


@get("/login", include_in_schema=False, opt=PUBLIC)
async def login_with_link(
    request: Request[Any, Any, Any], token: FromQuery[str] = ""
) -> Response[Any]:
    """Redeem a one-time login link: set the session cookie and open the dashboard; before any
    user exists, open the dashboard's "set the admin password" step instead."""
    hub: HubState = request.app.state.hub
    if token and await hub.sessions.needs_setup() and await hub.sessions.link_valid(token):
        return Redirect(f"/?setup={token}")
    session = await hub.sessions.redeem_link(token) if token else None
    if session is None:
        return Response(
            "<!doctype html><title>tcf-hub</title><p>This login link is invalid, expired or "
            "already used. Restart the hub for a new one, or sign in with the admin token.</p>"
            '<p><a href="/">Open the dashboard</a></p>',
            media_type="text/html",
            status_code=401,
        )
    return Redirect("/", cookies=session_cookies(request, session))


@post("/api/v1/session", status_code=HTTP_204_NO_CONTENT, tags=["auth"], opt=PUBLIC)
async def create_session(
    request: Request[Any, Any, Any], data: JSONBody[SessionCreate]
) -> Response[None]:
    """Sign in with a user name and password (and TOTP ``code`` when enabled) or the admin
    token; sets the session cookie. 401 when refused (``extra.totp_required`` when a code is
    needed), 429 with Retry-After after too many failures."""
    hub: HubState = request.app.state.hub
    address = client_address(request)
    try:
        if data.name is not None and data.password is not None:
            session = await hub.sessions.login(data.name, data.password, data.code, address)
        elif data.token is not None:
            session = await hub.sessions.login_with_token(data.token, hub.admin_token, address)
        else:
            raise ClientException("send either name and password, or token")
    except LoginRefusedError as exc:
        raise refused(exc) from None
    return Response(
        None, status_code=HTTP_204_NO_CONTENT, cookies=session_cookies(request, session)
    )


@delete("/api/v1/session", status_code=HTTP_204_NO_CONTENT, tags=["auth"], opt=PUBLIC)
async def delete_session(request: Request[Any, Any, Any]) -> Response[None]:
    """Sign out: the session ends on the server and the cookies are cleared."""
    hub: HubState = request.app.state.hub
    session = request.cookies.get(SESSION_COOKIE)
    if session:
        await hub.sessions.end(session)
    return Response(
        None,
        status_code=HTTP_204_NO_CONTENT,
        cookies=[
            Cookie(key=SESSION_COOKIE, value="", path="/", max_age=0),
            Cookie(key=CSRF_COOKIE, value="", path="/", max_age=0),
        ],
    )
