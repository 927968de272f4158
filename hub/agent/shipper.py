"""Getting batches to the hub in order: straight away when it answers, else via the spool.

No network here: ``send`` is injected (``hub.agent.sender.HubSender`` in production, a fake in
tests) and reports an ``Outcome``; this module decides what happens to the batch.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Awaitable, Callable

import msgspec

from hub.agent.spool import Spool

log = logging.getLogger(__name__)

DRAIN_LIMIT = 100
"""Spooled batches sent per tick at most, so a long backlog does not hold up collection."""


class Outcome(enum.Enum):
    """What became of one attempt to send a batch."""

    SENT = "sent"
    RETRY = "retry"
    """The hub is unreachable, timed out, or answered 429 or 5xx: keep the batch, try later."""
    REJECTED = "rejected"
    """The hub refused this batch for good (400, 413, 415, 422): drop it, loudly."""
    REFUSED = "refused"
    """The hub refused the token (401, 403) or is not at that URL (404, 405): keep the batch
    and stop the agent."""


class SendResult(msgspec.Struct, frozen=True):
    """An outcome and why (the hub's reason, or the connection error)."""

    outcome: Outcome
    detail: str = ""


Send = Callable[[bytes], Awaitable[SendResult]]


class HubRefusedError(Exception):
    """The hub refuses the agent's token, or the URL is wrong; retrying cannot help."""


class Shipper:
    """Sends batches oldest first; keeps the ones the hub cannot take yet in the spool."""

    def __init__(self, send: Send, spool: Spool, drain_limit: int = DRAIN_LIMIT) -> None:
        self._send = send
        self._spool = spool
        self._drain_limit = drain_limit
        self.hub_up = True
        """Whether the last attempt reached a hub that took the batch (or refused it for good)."""

    async def ship(self, batch: bytes) -> None:
        """Deliver ``batch`` after every batch still spooled.

        Raises:
            HubRefusedError: the token is refused (the batch is kept in the spool).
        """
        if len(self._spool):
            self._spool.append(batch)
            await self.drain()
            return
        try:
            result = await self._send(batch)
        except asyncio.CancelledError:  # stopping mid-send: the hub may not have it
            self._spool.append(batch)
            raise
        if result.outcome in (Outcome.RETRY, Outcome.REFUSED):
            self._spool.append(batch)
        self._note(result, spooled=len(self._spool))

    async def drain(self) -> int:
        """Send spooled batches oldest first until one must wait; returns how many left.

        Raises:
            HubRefusedError: the token is refused (the batches stay in the spool).
        """
        sent = 0
        for path in self._spool.pending()[: self._drain_limit]:
            result = await self._send(self._spool.read(path))
            if result.outcome in (Outcome.RETRY, Outcome.REFUSED):
                self._note(result, spooled=len(self._spool))
                break
            self._spool.remove(path)
            sent += 1
            self._note(result, spooled=len(self._spool))
        if sent:
            log.info("sent %d spooled batches; %d still spooled", sent, len(self._spool))
        return sent

    def _note(self, result: SendResult, spooled: int) -> None:
        """Log changes of the hub's state once, not on every batch."""
        if result.outcome is Outcome.REFUSED:
            raise HubRefusedError(
                f"the hub refuses this agent ({result.detail}); check --hub and the token"
            )
        if result.outcome is Outcome.REJECTED:
            log.error("the hub rejected a batch, which is dropped: %s", result.detail)
        up = result.outcome is not Outcome.RETRY
        if up != self.hub_up:
            if up:
                log.info("the hub is back (%d batches spooled)", spooled)
            else:
                log.warning("cannot deliver to the hub (%s); spooling batches", result.detail)
        self.hub_up = up
