"""What is sent to a channel: one notification about one or more alerts."""

from __future__ import annotations

from datetime import datetime

import msgspec


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
