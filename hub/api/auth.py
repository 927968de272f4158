"""Auth (C3): bearer admin token, a scoped API token, or the dashboard's session cookie."""

from __future__ import annotations

import re
from typing import Any

from litestar import Request, Response, delete, get, post
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.params import FromQuery, JSONBody
from litestar.response import Redirect
from litestar.status_codes import HTTP_204_NO_CONTENT

from hub.api.schemas import SessionCreate
from hub.api.sessions import ADMIN, SESSION_LIFETIME
from hub.api.state import HubState
from hub.api.tokens import ApiTokens
from hub.domain.tokens import scope_allows, scope_routes
from hub.lib.secrets import same_token

SESSION_COOKIE = "tcf_session"
ACK_PATH = re.compile(r"^/api/v1/alerts/\d+/ack$")
"""The one route open without auth when its body holds an ack token."""


class TokenAuth(AbstractAuthenticationMiddleware):
    """Sets ``request.user`` to the principal, or answers 401; 403 when a scoped token calls
    a route outside its scope (the admin token and sessions may call everything)."""

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        hub: HubState = connection.app.state.hub
        header = connection.headers.get("authorization", "")
        if header[:7].lower() == "bearer ":
            given = header[7:].strip()
            if same_token(given, hub.admin_token):
                return AuthenticationResult(user=ADMIN, auth="token")
            token = await ApiTokens(hub.store, hub.clock).check(given)
            if token is None:
                raise NotAuthorizedException("invalid or revoked token")
            method, path = str(connection.scope.get("method", "")), connection.scope["path"]
            if not scope_allows(token.scope, method, path):
                raise PermissionDeniedException(
                    f"token {token.name!r} has scope {token.scope.value}: it may only call "
                    f"{scope_routes(token.scope)}"
                )
            return AuthenticationResult(user=f"token:{token.name}", auth=token)
        session = connection.cookies.get(SESSION_COOKIE)
        if session:
            principal = await hub.sessions.principal(session)
            if principal:
                return AuthenticationResult(user=principal, auth="session")
        if connection.scope.get("method") == "POST" and ACK_PATH.match(connection.scope["path"]):
            # A push's Acknowledge action carries an ack token instead (C9); the handler checks it.
            return AuthenticationResult(user=None, auth=None)
        raise NotAuthorizedException(
            "authentication required: send 'Authorization: Bearer <token>' or sign in"
        )


PUBLIC = {"exclude_from_auth": True}
"""Handler ``opt`` for routes open without auth: health, sign-in and the PWA's static files."""


def unauthenticated_paths(metrics_public: bool) -> list[str]:
    """Path patterns open without auth: the OpenAPI schema, and /metrics when made public."""
    return [r"^/schema", *([r"^/metrics$"] if metrics_public else [])]


def _session_cookie(request: Request[Any, Any, Any], token: str) -> Cookie:
    return Cookie(
        key=SESSION_COOKIE,
        value=token,
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        max_age=int(SESSION_LIFETIME.total_seconds()),
    )


@get("/login", include_in_schema=False, opt=PUBLIC)
async def login_with_link(
    request: Request[Any, Any, Any], token: FromQuery[str] = ""
) -> Response[Any]:
    """Redeem a one-time login link: set the session cookie and open the dashboard."""
    hub: HubState = request.app.state.hub
    session = await hub.sessions.redeem_link(token) if token else None
    if session is None:
        return Response(
            "<!doctype html><title>tcf-hub</title><p>This login link is invalid, expired or "
            "already used. Restart the hub for a new one, or sign in with the admin token.</p>"
            '<p><a href="/">Open the dashboard</a></p>',
            media_type="text/html",
            status_code=401,
        )
    return Redirect("/", cookies=[_session_cookie(request, session)])


@post("/api/v1/session", status_code=HTTP_204_NO_CONTENT, tags=["auth"], opt=PUBLIC)
async def create_session(
    request: Request[Any, Any, Any], data: JSONBody[SessionCreate]
) -> Response[None]:
    """Sign the dashboard in with the admin token (sets the session cookie)."""
    hub: HubState = request.app.state.hub
    session = await hub.sessions.login_with_token(data.token, hub.admin_token)
    if session is None:
        raise NotAuthorizedException("invalid token")
    return Response(
        None, status_code=HTTP_204_NO_CONTENT, cookies=[_session_cookie(request, session)]
    )


@delete("/api/v1/session", status_code=HTTP_204_NO_CONTENT, tags=["auth"], opt=PUBLIC)
async def delete_session(request: Request[Any, Any, Any]) -> Response[None]:
    """Sign out: the session ends on the server and the cookie is cleared."""
    hub: HubState = request.app.state.hub
    session = request.cookies.get(SESSION_COOKIE)
    if session:
        await hub.sessions.end(session)
    return Response(
        None,
        status_code=HTTP_204_NO_CONTENT,
        cookies=[Cookie(key=SESSION_COOKIE, value="", path="/", max_age=0)],
    )
