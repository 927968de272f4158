"""Wire structs of the API (msgspec)."""

from __future__ import annotations

import msgspec

from hub.domain.alerts import Alert, AlertEvent
from hub.domain.samples import Sample, metric_info

AlertRead = Alert
"""An alert on the wire has exactly the stored fields (C5, C9)."""


class AlertDetail(msgspec.Struct, frozen=True):
    """One alert with its history."""

    alert: AlertRead
    history: list[AlertEvent]


class AckCreate(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Body of an acknowledgement; ``by`` defaults to the signed-in principal."""

    comment: str | None = msgspec.field(default=None)
    by: str | None = None
    ack_token: str | None = None
    """A push notification's single-use token (C9): acknowledges without signing in."""


class AckResult(msgspec.Struct, frozen=True):
    """What an acknowledgement did, and the alert after it."""

    outcome: str
    alert: AlertRead


class SessionCreate(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Dashboard sign-in: with a user name and password (plus a TOTP ``code`` when the user
    has one), or with the admin token."""

    token: str | None = None
    name: str | None = None
    password: str | None = None
    code: str | None = None


class SampleRead(msgspec.Struct, frozen=True):
    """A current value."""

    name: str
    labels: dict[str, str]
    value: float
    time: float
    unit: str

    @classmethod
    def of(cls, sample: Sample) -> SampleRead:
        """The wire form of ``sample``."""
        return cls(
            sample.name, sample.labels, sample.value, sample.time, metric_info(sample.name).unit
        )


class SeriesRead(msgspec.Struct, frozen=True, omit_defaults=True):
    """One series as columns: raw ``timestamps`` and ``values``, or, when ``points`` was asked
    for, buckets starting at ``start + i * step`` with their ``min``, ``avg`` and ``max``."""

    name: str
    labels: dict[str, str]
    timestamps: list[float] | None = None
    values: list[float] | None = None
    start: float | None = None
    step: float | None = None
    min: list[float | None] | None = None
    avg: list[float | None] | None = None
    max: list[float | None] | None = None


class Health(msgspec.Struct, frozen=True):
    """Liveness."""

    status: str


class Readiness(msgspec.Struct, frozen=True):
    """Readiness: ``ok``, or ``unavailable`` with what is wrong."""

    status: str
    reasons: list[str] = msgspec.field(default_factory=list)
