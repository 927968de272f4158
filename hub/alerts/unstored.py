"""Alert changes kept in memory while the store cannot write (a full disk).

An alert change, its history event and the outbox row of its notification are one write, so on
a full disk none of them is stored. The engine then keeps each alert's newest change here,
evaluates against the open alerts as memory knows them, and has their notifications sent from
memory (``hub/notify/unstored.py``). Once the store writes again, each kept alert is stored as
one change from what the store holds to what memory knows, so no step is stored twice.

Pure: no store, no clock; the engine does the writing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

import msgspec

from hub.alerts.annotations import render_annotations
from hub.domain.alerts import Alert, AlertState, Transition
from hub.domain.rules import Rule


class Change(NamedTuple):
    """A transition of one alert, as evaluation applies it."""

    rule: Rule
    fingerprint: str
    current: Alert | None
    """The alert before the transition (None: it is new)."""
    transition: Transition
    note: str | None = None
    """What the alert's history event says besides the state change."""


@dataclass
class _Kept:
    """An alert change the store could not write, kept until it can."""

    rule: Rule
    last: Transition
    """The newest transition; stored as one change from what the store holds."""
    alert: Alert | None
    """The alert as memory knows it (None: a pending alert that was forgotten since)."""


class UnstoredChanges:
    """The alert changes, by fingerprint, that the store could not write yet."""

    def __init__(self) -> None:
        self._kept: dict[str, _Kept] = {}
        self._memory_ids = 0
        """The last id given to an alert that exists only in memory (they count down from -1)."""

    def __len__(self) -> int:
        """How many alerts have a change kept."""
        return len(self._kept)

    def keep(self, changes: Iterable[Change]) -> list[Alert]:
        """Keep ``changes`` (an evaluation's, none of them stored); returns the alerts they
        changed as memory knows them now (a forgotten pending alert is left out)."""
        kept: dict[str, Alert] = {}
        for change in changes:
            key = change.fingerprint
            before = self._kept.get(key)
            base = before.alert if before else change.current
            alert = self._memory_alert(base, change.rule, key, change.transition)
            self._kept[key] = _Kept(change.rule, change.transition, alert)
            if alert is not None:
                kept[key] = alert
        return list(kept.values())

    def overlay(self, open_alerts: dict[str, Alert]) -> None:
        """Turn the store's open alerts (by fingerprint) into the open alerts as memory knows
        them, changed by what the store could not write."""
        for key, kept in self._kept.items():
            if kept.alert is None or kept.alert.state is AlertState.RESOLVED:
                open_alerts.pop(key, None)
            else:
                open_alerts[key] = kept.alert

    def replay(self, open_alerts: Mapping[str, Alert]) -> list[Change]:
        """The changes that store what is kept, given the store's open alerts by fingerprint:
        one per alert, from the state the store holds to the one memory knows, its history
        event noted as stored late."""
        out: list[Change] = []
        for key, kept in self._kept.items():
            current = open_alerts.get(key)
            if current is None and kept.last.to_state is None:
                continue  # pending and forgotten before the store ever held it
            t = msgspec.structs.replace(
                kept.last, from_state=current.state if current else None, from_severity=None
            )
            note = f"stored late: the store could not write at {kept.last.at.isoformat()}"
            out.append(Change(kept.rule, key, current, t, note))
        return out

    def clear(self) -> None:
        """Forget what is kept: the store holds it now."""
        self._kept.clear()

    def _memory_alert(
        self, base: Alert | None, rule: Rule, key: str, t: Transition
    ) -> Alert | None:
        """``base`` (None: a new alert, with a negative id) after transition ``t``."""
        if t.to_state is None:
            return None
        labels = {**t.labels, "severity": t.severity}
        annotations = render_annotations(rule, labels, t.value, t.severity, nodata=t.nodata)
        if base is None:
            self._memory_ids -= 1
            base = Alert(
                self._memory_ids,
                key,
                rule.name,
                t.to_state,
                t.severity,
                labels,
                annotations,
                t.value,
                t.active_at,
            )
        firing = t.to_state is AlertState.FIRING and base.state is not AlertState.FIRING
        return msgspec.structs.replace(
            base,
            state=t.to_state,
            severity=t.severity,
            labels=labels,
            annotations=annotations,
            value=t.value,
            fired_at=t.at if firing and base.fired_at is None else base.fired_at,
            resolved_at=t.at if t.to_state is AlertState.RESOLVED else None,
            updated_at=t.at,
        )
