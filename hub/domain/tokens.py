"""Scoped API tokens: what each scope may call (the admin token may call everything)."""

from __future__ import annotations

import enum
import re
from datetime import datetime

import msgspec


class TokenScope(enum.StrEnum):
    """What a named API token may do (stored as text)."""

    ADMIN = "admin"
    """Everything the admin token may do (for automation that manages the hub)."""
    READ = "read"
    """Every read (GET) route except the admin-only ones (tokens, users, sessions)."""

    INGEST = "ingest"
    """Agents: ``POST /api/v1/ingest`` only (C10)."""
    HEARTBEAT = "heartbeat"
    """Cron and backup jobs: ``POST /api/v1/heartbeats/{name}`` only."""


class _Route(msgspec.Struct, frozen=True):
    method: str
    pattern: re.Pattern[str]
    shown: str
    """The route as people read it, for error messages."""


_ALLOWED: dict[TokenScope, _Route] = {
    TokenScope.INGEST: _Route("POST", re.compile(r"^/api/v1/ingest/?$"), "POST /api/v1/ingest"),
    TokenScope.HEARTBEAT: _Route(
        "POST", re.compile(r"^/api/v1/heartbeats/[^/]+/?$"), "POST /api/v1/heartbeats/{name}"
    ),
}
"""The one route each of the narrow scopes opens."""

TOKEN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}$")
"""Token names: letters, digits and ``_ . @ -``, up to 100 characters."""


def scope_allows(scope: TokenScope, method: str, path: str, *, admin_only: bool = False) -> bool:
    """Whether a token of ``scope`` may call ``method path`` (``admin_only``: the route is
    for admins only, such as token and user management)."""
    if scope is TokenScope.ADMIN:
        return True
    if scope is TokenScope.READ:
        return method.upper() in ("GET", "HEAD") and not admin_only
    route = _ALLOWED[scope]
    return method.upper() == route.method and route.pattern.match(path) is not None


def scope_routes(scope: TokenScope) -> str:
    """What ``scope`` opens, for error messages."""
    if scope is TokenScope.ADMIN:
        return "every route"
    if scope is TokenScope.READ:
        return "GET routes other than tokens, users and sessions"
    return _ALLOWED[scope].shown


class ApiToken(msgspec.Struct, frozen=True):
    """A named, scoped API token as stored (the secret itself is only shown at creation)."""

    name: str
    scope: TokenScope
    created_at: datetime
    last_used_at: datetime | None = None
