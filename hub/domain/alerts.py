"""Alerts, their states and the transitions between them."""

from __future__ import annotations

import enum
from datetime import datetime

import msgspec

from hub.domain.rules import Severity


class AlertState(enum.StrEnum):
    """Where an alert is in its life."""

    PENDING = "pending"
    FIRING = "firing"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"

    @property
    def is_active(self) -> bool:
        """Firing or acknowledged: the condition holds and someone should know."""
        return self in (AlertState.FIRING, AlertState.ACKNOWLEDGED)


class AlertStatus(msgspec.Struct, frozen=True, gc=False):
    """The part of an open alert that rule evaluation needs and carries from one evaluation
    to the next."""

    state: AlertState
    active_at: datetime
    """When the condition started to hold (pending since, or firing since minus ``for``)."""
    severity: Severity = Severity.WARNING
    clear_since: datetime | None = None
    """First evaluation since which a firing alert's condition is false (``keep_firing_for``
    counts from here, as Prometheus's ``KeepFiringSince``)."""
    missing: int = 0
    """Evaluations in a row without data."""


class Transition(msgspec.Struct, frozen=True):
    """A state change decided by rule evaluation for one series.

    ``to_state`` None means the alert is forgotten (a pending alert whose condition cleared).
    """

    rule: str
    labels: dict[str, str]
    from_state: AlertState | None
    to_state: AlertState | None
    value: float | None
    at: datetime
    active_at: datetime
    severity: Severity = Severity.WARNING
    from_severity: Severity | None = None
    """The severity before, when this transition changes it (a level was crossed)."""
    nodata: bool = False
    """The condition is the absence of data (``nodata: nodata`` rules and ``absent`` rules)."""


class Alert(msgspec.Struct, frozen=True, gc=False):
    """An alert as stored and shown (C5, C9)."""

    id: int
    fingerprint: str
    rule: str
    state: AlertState
    severity: Severity
    labels: dict[str, str]
    annotations: dict[str, str]
    value: float | None
    started_at: datetime
    fired_at: datetime | None = None
    resolved_at: datetime | None = None
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    ack_comment: str | None = None
    updated_at: datetime | None = None
    """When anything about the alert last changed (clients keep the newer of two copies)."""


class AlertEvent(msgspec.Struct, frozen=True):
    """One entry in an alert's history: a state change or an acknowledgement."""

    at: datetime
    kind: str
    from_state: AlertState | None
    to_state: AlertState | None
    value: float | None = None
    actor: str | None = None
    comment: str | None = None
