"""Notifications sent from memory while the store cannot write (a full disk).

A transition and its outbox row are one write, so on a full disk neither is stored. The engine
then keeps the transition in memory and hands the changed alerts here: they are routed as usual
and sent at once, one attempt, best effort and not durable. What was told to which channel is
remembered, so when space returns and the transition is stored, the group notification that
says the same is stored as already delivered instead of being sent a second time.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping

from hub.domain.alerts import Alert, AlertState
from hub.domain.notifications import Notification, NotifiedAlert
from hub.notify.grouping import GroupNotification, group_key, group_labels
from hub.notify.routing import Route, match_routes

log = logging.getLogger(__name__)

FROM_MEMORY = "sent-from-memory"
"""Delivery log outcome of a notification that was sent while the store could not write."""

Sender = Callable[[Notification], Awaitable[bool]]
"""Sends one notification once, without the store; True when the channel took it."""

_Told = tuple[str, str]
"""(channel, alert fingerprint)."""


def told_as(alert: Alert) -> str | None:
    """What a notification about ``alert`` says: ``firing``, ``resolved`` or nothing (pending,
    acknowledged)."""
    if alert.state is AlertState.FIRING:
        return "firing"
    if alert.state is AlertState.RESOLVED:
        return "resolved"
    return None


class MemoryNotices:
    """Sends changed alerts straight to their channels and remembers what each was told."""

    def __init__(self, external_url: str) -> None:
        self._external_url = external_url
        self.send: Sender | None = None
        """How to send (the deliverer's :meth:`send_unstored`); nothing is sent while None."""
        self._told: dict[_Told, str] = {}
        self._sending: asyncio.Task[int] | None = None
        """The newest sending task; each waits for the one before (firing before resolved)."""

    @property
    def pending(self) -> int:
        """(channel, alert) pairs told from memory whose notification is not stored yet."""
        return len(self._told)

    def deliver(
        self,
        alerts: Iterable[Alert],
        tree: Route,
        send_resolved: Mapping[str, bool],
        muted: Callable[[Alert], bool],
    ) -> None:
        """Route ``alerts`` and send each group's news to its channels, side by side, in the
        background (a receiver that hangs must not hold up rule evaluation)."""
        if self.send is None:
            return
        groups: dict[tuple[str, str], tuple[dict[str, str], list[NotifiedAlert]]] = {}
        for alert in alerts:
            status = told_as(alert)
            if status is None or muted(alert):
                continue
            for route in match_routes(tree, alert.labels):
                for channel in route.channels:
                    if self._told.get((channel, alert.fingerprint)) == status:
                        continue
                    if status == "resolved" and not send_resolved.get(channel, True):
                        continue
                    key = (group_key(route, alert.labels), channel)
                    entry = groups.setdefault(key, (group_labels(route, alert.labels), []))
                    entry[1].append(NotifiedAlert.of(alert, status))
        notes = [
            Notification(
                receiver=channel,
                status="firing" if any(a.status == "firing" for a in told) else "resolved",
                group_key=key,
                group_labels=labels,
                alerts=tuple(told),
                external_url=self._external_url,
            )
            for (key, channel), (labels, told) in groups.items()
        ]
        if notes:
            self._sending = asyncio.ensure_future(self._send(notes, self._sending))

    async def settled(self) -> int:
        """Wait for the notifications being sent; returns how many the channels took in the
        last batch."""
        return 0 if self._sending is None else await asyncio.shield(self._sending)

    async def _send(self, notes: list[Notification], before: asyncio.Task[int] | None) -> int:
        if before is not None:
            await asyncio.wait([before])
        by_channel: dict[str, list[Notification]] = {}
        for note in notes:
            by_channel.setdefault(note.receiver, []).append(note)
        sent = await asyncio.gather(*(self._send_each(batch) for batch in by_channel.values()))
        return sum(sent)

    async def _send_each(self, notes: list[Notification]) -> int:
        assert self.send is not None  # noqa: S101 (checked by deliver)
        sent = 0
        for note in notes:
            if await self.send(note):
                sent += 1
                for alert in note.alerts:
                    self._told[(note.receiver, alert.fingerprint)] = alert.status
        return sent

    def already_told(self, note: GroupNotification) -> list[_Told] | None:
        """The marks that make ``note`` a repeat of what memory delivery said (every alert in
        it was told the same to the same channel), else None: the note must be sent."""
        pairs = [(a, "firing") for a in note.firing] + [(a, "resolved") for a in note.resolved]
        marks = [(note.channel, a.fingerprint) for a, _ in pairs]
        if pairs and all(self._told.get(m) == s for m, (_, s) in zip(marks, pairs, strict=True)):
            return marks
        return None

    def forget(self, marks: Iterable[_Told]) -> None:
        """Drop marks whose notification is now stored."""
        for mark in marks:
            self._told.pop(mark, None)
