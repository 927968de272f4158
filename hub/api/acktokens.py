"""Checking the single-use ack token a push notification carries (C9)."""

from __future__ import annotations

from litestar.exceptions import PermissionDeniedException

from hub.api.state import HubState
from hub.lib.secrets import token_hash
from hub.store.push import AckTokenRefusal


async def spend_ack_token(hub: HubState, alert_id: int, token: str) -> str:
    """Spend ``token`` on ``alert_id``; returns who acknowledges (``push:<device>``).

    Raises:
        PermissionDeniedException: (403) the token is unknown, used, expired or for another
            alert; the detail says which.
    """
    async with hub.store.tx() as tx:
        spent = await tx.push.use_ack_token(token_hash(token), alert_id, hub.clock.now())
    if isinstance(spent, AckTokenRefusal):
        raise PermissionDeniedException(spent.value)
    return f"push:{spent}"
