"""Notification damping wired in: the stored side of ``hub.notify.damping``.

A rule with ``delay:`` has each status change of its alerts (OK, or firing at a severity) held
before it reaches the notification groups; a newer change supersedes a held one, so a spike
shorter than the delay is never notified. One ``DampingState`` per alert fingerprint is kept
in ``notify_state`` while it holds something or remembers a status other than OK.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from hub.domain.alerts import Alert
from hub.domain.rules import Rule
from hub.notify.damping import (
    Change,
    DampingPolicy,
    DampingState,
    Status,
    due,
    next_due,
    parse_delay,
    submit,
)
from hub.notify.grouping import is_firing
from hub.notify.statecodec import ENCODER, decoder
from hub.store.engine import Tx

DAMPING = "damping"
"""``notify_state`` kind of damping states (key: the alert's fingerprint)."""


_DECODER = decoder(DampingState)


class Damper:
    """Holds the status changes of alerts whose rule has a ``delay``."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self._policies: dict[str, DampingPolicy] = {}
        self._states: dict[str, DampingState] | None = None
        self.set_rules(rules)

    def set_rules(self, rules: Iterable[Rule]) -> None:
        """Use the ``delay`` of these rules from now on (after a reload or an API change)."""
        self._policies = {r.name: parse_delay(r.delay) for r in rules if r.delay}

    def applies(self, alert: Alert) -> bool:
        """Whether the alert's rule damps its notifications."""
        return alert.rule in self._policies

    def next_due(self) -> datetime | None:
        """When a held change falls due (known after the first :meth:`hold` or
        :meth:`release`)."""
        times = [t for s in (self._states or {}).values() if (t := next_due(s)) is not None]
        return min(times, default=None)

    async def hold(self, tx: Tx, alert: Alert, now: datetime) -> bool:
        """Take in a change of ``alert``; True when it is held (do not route it now)."""
        states = await self.load(tx)
        key = alert.fingerprint
        state = states.get(key) or DampingState(self._policies[alert.rule])
        status = Status.of(alert.severity if is_firing(alert) else None)
        if status == state.status:
            return state.held is not None  # a held change will bring the newest state
        state = submit(state, Change(status, str(alert.id)), now)
        await self._put(tx, key, state, now)
        return True

    async def release(self, tx: Tx, now: datetime) -> list[int]:
        """The ids of alerts whose held change fell due and is news to the recipients."""
        states = await self.load(tx)
        released: list[int] = []
        for key, state in list(states.items()):
            if state.held is None or now < state.held.due_at:
                continue
            after, changes = due(state, now)
            released += [int(c.change.ref) for c in changes]
            await self._put(tx, key, after, now)
        return released

    async def load(self, tx: Tx) -> dict[str, DampingState]:
        """The states, read from the store once (then kept in memory)."""
        if self._states is None:
            stored = await tx.notify_state.load(DAMPING)
            self._states = {k: _DECODER.decode(v) for k, v in stored.items()}
        return self._states

    async def _put(self, tx: Tx, key: str, state: DampingState, now: datetime) -> None:
        assert self._states is not None  # noqa: S101 (loaded by the caller)
        if state.held is None and state.status is Status.OK:
            self._states.pop(key, None)
            await tx.notify_state.delete(DAMPING, key)
        else:
            self._states[key] = state
            await tx.notify_state.put(DAMPING, key, ENCODER.encode(state), now)
