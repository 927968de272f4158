"""``POST /api/v1/session/link``: a fresh one-time login link, for ``tcf-hub open``.

The desktop launcher holds the admin token (it reads ``admin.token``) but the browser it opens
does not; a one-time link signs that browser in without the token appearing in a URL.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, post

from hub.api.access import ADMIN_ONLY
from hub.api.state import HubState


class LoginLinkRead(msgspec.Struct, frozen=True):
    """A one-time login link (valid 15 minutes)."""

    url: str


@post("/api/v1/session/link", tags=["auth"], opt=ADMIN_ONLY)
async def create_login_link(request: Request[Any, Any, Any]) -> LoginLinkRead:
    """Make a one-time login link for the dashboard (admin only)."""
    hub: HubState = request.app.state.hub
    return LoginLinkRead(url=await hub.sessions.create_login_link())
