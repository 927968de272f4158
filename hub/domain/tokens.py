"""Scoped API tokens: what each scope may call (the admin token and sessions may call all)."""

from __future__ import annotations

import enum
import re
from datetime import datetime

import msgspec


class TokenScope(enum.StrEnum):
    """What a named API token may do. Stored as text, so ``read``/``admin`` can join later."""

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
"""The one route each scope opens."""

TOKEN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}$")
"""Token names: letters, digits and ``_ . @ -``, up to 100 characters."""


def scope_allows(scope: TokenScope, method: str, path: str) -> bool:
    """Whether a token of ``scope`` may call ``method path``."""
    route = _ALLOWED[scope]
    return method.upper() == route.method and route.pattern.match(path) is not None


def scope_routes(scope: TokenScope) -> str:
    """The one route ``scope`` opens, for error messages."""
    return _ALLOWED[scope].shown


class ApiToken(msgspec.Struct, frozen=True):
    """A named, scoped API token as stored (the secret itself is only shown at creation)."""

    name: str
    scope: TokenScope
    created_at: datetime
    last_used_at: datetime | None = None
