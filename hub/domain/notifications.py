"""What is sent to a channel: one notification about one or more alerts."""

from __future__ import annotations

from datetime import datetime

import msgspec

from hub.domain.alerts import Alert


class NotifiedAlert(msgspec.Struct, frozen=True):
    """An alert as a notification presents it."""

    id: int
    status: str
    """``firing`` or ``resolved``."""
    labels: dict[str, str]
    annotations: dict[str, str]
    starts_at: datetime
    ends_at: datetime | None
    fingerprint: str
    value: float | None = None

    @classmethod
    def of(
        cls, alert: Alert, status: str, annotations: dict[str, str] | None = None
    ) -> NotifiedAlert:
        """``alert`` told as ``status`` (``firing`` or ``resolved``), optionally with other
        annotations (an escalation step adds its own)."""
        return cls(
            id=alert.id,
            status=status,
            labels=alert.labels,
            annotations=alert.annotations if annotations is None else annotations,
            starts_at=alert.started_at,
            ends_at=alert.resolved_at if status == "resolved" else None,
            fingerprint=alert.fingerprint,
            value=alert.value,
        )


class Notification(msgspec.Struct, frozen=True):
    """One message to one channel (a *notification*; each send attempt is a *delivery*)."""

    receiver: str
    status: str
    """``firing`` when any alert fires, else ``resolved``."""
    group_key: str
    group_labels: dict[str, str]
    alerts: tuple[NotifiedAlert, ...]
    external_url: str


class OutboxItem(msgspec.Struct, frozen=True):
    """A queued notification waiting for (another) delivery attempt."""

    id: int
    channel: str
    payload: bytes
    attempts: int
    created_at: datetime


class Delivery(msgspec.Struct, frozen=True):
    """One attempt to send a notification, as recorded in the delivery log."""

    outbox_id: int
    channel: str
    at: datetime
    ok: bool
    error: str | None
    duration_ms: float
    outcome: str | None = None
    """``sent``, ``retry`` (another attempt is scheduled) or ``failed`` (given up)."""
    status_code: int | None = None
    """The receiver's HTTP status (or SMTP reply code), when it answered."""
    id: int | None = None
    """The attempt's id in the delivery log, once stored."""
