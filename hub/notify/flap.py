"""Flap detection wired in: the stored side of ``hub.notify.flapping``.

The engine reports, once per evaluation, whether each alert it looked at is a problem (firing);
this keeps one :class:`FlapRecord` per alert fingerprint in ``notify_state`` (so a restart
keeps the history), and tells the dispatcher which alerts are flapping and when flapping
started or stopped. Only records that differ from a fresh one are kept: a quiet series costs
nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import msgspec

from hub.notify.flapping import FlapEvent, FlapState, FlapThresholds, can_forget, observe

if TYPE_CHECKING:  # only annotations: config parsing (hub.settings, ctl) needs no SQLAlchemy
    from hub.store.engine import Tx

FLAP = "flap"
"""``notify_state`` kind of flap records (key: the alert's fingerprint)."""


class FlapConfig(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The ``flapping:`` section of alerts.yml (Nagios' defaults)."""

    enabled: bool = True
    """Whether flap detection suppresses notifications of flapping alerts."""
    low: float = 20.0
    """Percent state change at or below which a flapping alert stops flapping."""
    high: float = 30.0
    """Percent state change at or above which an alert starts flapping."""


class Observation(msgspec.Struct, frozen=True, gc=False):
    """One evaluation of one alert, as the engine saw it."""

    metric: str
    """The rule's metric (the record is observed again only when that metric is evaluated)."""
    problem: bool
    """Whether the alert is firing (acknowledged or not) after this evaluation."""
    alert_id: int | None = None
    """The newest alert row of this fingerprint, if there is one."""


class FlapRecord(msgspec.Struct, frozen=True, gc=False):
    """What is stored per fingerprint."""

    metric: str
    state: FlapState
    alert_id: int | None = None


WRITE_EVERY = timedelta(minutes=1)
"""A record whose flapping status did not change is written at most this often: the history
is for a restart, and writing every evaluation of every open alert would wear an SD card."""
_ENCODER = msgspec.msgpack.Encoder()
_DECODER = msgspec.msgpack.Decoder(FlapRecord)
_STEADY = {flag: (flag,) * 21 for flag in (True, False)}


class Flaps:
    """Flap records of every alert that is not plainly quiet, cached in memory."""

    def __init__(self, config: FlapConfig) -> None:
        self.config = config
        """The thresholds in use."""
        self._thresholds = FlapThresholds(config.low, config.high)
        self._records: dict[str, FlapRecord] | None = None
        self._written: dict[str, datetime] = {}

    @property
    def enabled(self) -> bool:
        """Whether flap detection is on."""
        return self.config.enabled

    def flapping(self, fingerprint: str) -> bool:
        """Whether the alert with ``fingerprint`` is flapping (its notifications are held)."""
        if self._records is None:
            return False
        record = self._records.get(fingerprint)
        return record is not None and record.state.flapping

    def watching(self, metrics: Collection[str] | None) -> bool:
        """Whether an evaluation of ``metrics`` (None: all) has records to observe."""
        return any(metrics is None or r.metric in metrics for r in (self._records or {}).values())

    def records(self) -> dict[str, FlapRecord]:
        """The records known (after the first :meth:`observe`), by fingerprint."""
        return dict(self._records or {})

    async def observe(
        self,
        tx: Tx,
        seen: Mapping[str, Observation],
        metrics: frozenset[str] | None,
        now: datetime,
    ) -> list[tuple[FlapRecord, FlapEvent]]:
        """Record one evaluation: ``seen`` are the alerts evaluated with their state; every
        other record of an evaluated metric (``metrics``, None: all) counts as one OK
        observation (its series is fine, so the engine skipped it).

        Returns:
            The records whose flapping started or stopped now, with the event.
        """
        if not self.enabled:
            return []
        if self._records is None:
            stored = await tx.notify_state.load(FLAP)
            self._records = {k: self._current(_DECODER.decode(v)) for k, v in stored.items()}
            self._written = dict.fromkeys(self._records, now)
        records = self._records
        events: list[tuple[FlapRecord, FlapEvent]] = []
        puts: dict[str, bytes] = {}
        forgotten: list[str] = []
        todo: dict[str, Observation] = dict(seen)
        for key, record in records.items():
            if key not in todo and (metrics is None or record.metric in metrics):
                todo[key] = Observation(record.metric, False, record.alert_id)
        for key, seen_now in todo.items():
            before = records.get(key)
            if before is None:
                if not seen_now.problem:
                    continue  # a fresh state that stays OK: nothing to remember
                before = FlapRecord(seen_now.metric, FlapState(self._thresholds))
            state = before.state
            if not state.flapping and state.history == _STEADY[seen_now.problem]:
                continue  # steady for 21 evaluations already: observing changes nothing
            state, event = observe(state, seen_now.problem)
            alert_id = seen_now.alert_id if seen_now.alert_id is not None else before.alert_id
            after = FlapRecord(seen_now.metric, state, alert_id)
            if can_forget(state):
                records.pop(key, None)
                if self._written.pop(key, None) is not None:
                    forgotten.append(key)
            else:
                records[key] = after
                written = self._written.get(key)
                news = event is not None or state.problem_notified != before.state.problem_notified
                if news or written is None or now - written >= WRITE_EVERY:
                    puts[key] = _ENCODER.encode(after)
                    self._written[key] = now
            if event is not None:
                events.append((after, event))
        await tx.notify_state.put_many(FLAP, puts, now)
        await tx.notify_state.delete_many(FLAP, forgotten)
        return events

    def _current(self, record: FlapRecord) -> FlapRecord:
        """A stored record with today's thresholds (they may have changed since)."""
        state = msgspec.structs.replace(record.state, thresholds=self._thresholds)
        return msgspec.structs.replace(record, state=state)
