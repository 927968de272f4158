"""Heartbeats: dead man's switches that cron and backup jobs ping; their metrics (no I/O)."""

from __future__ import annotations

import enum
import re
from datetime import datetime

import msgspec

from hub.domain.config import HeartbeatConfig
from hub.domain.samples import Sample

HEARTBEAT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
"""Heartbeat names appear in URLs: letters, digits and ``_ . -``, up to 100 characters."""


class PingStatus(enum.StrEnum):
    """How the job that pinged went."""

    OK = "ok"
    FAIL = "fail"


class Heartbeat(msgspec.Struct, frozen=True):
    """What the hub knows of one heartbeat: when it was first watched and its last ping."""

    name: str
    created_at: datetime
    last_ping_at: datetime | None = None
    status: PingStatus | None = None
    message: str | None = None
    duration: float | None = None
    """Seconds the job took, as it reported."""


def age(beat: Heartbeat, now: datetime) -> float:
    """Seconds since the last ping, or since the hub began watching a heartbeat never pinged."""
    return max(0.0, (now - (beat.last_ping_at or beat.created_at)).total_seconds())


def overdue(beat: Heartbeat, config: HeartbeatConfig, now: datetime) -> bool:
    """Whether the heartbeat is later than its period plus grace."""
    return age(beat, now) > config.period + config.grace


def state_samples(beat: Heartbeat, config: HeartbeatConfig, now: datetime) -> list[Sample]:
    """What the heartbeat looks like at ``now``, written every collection interval:

    ``heartbeat_age_seconds`` (since the last ping, or since the hub began watching a heartbeat
    never pinged), ``heartbeat_overdue`` (1 once the age passes period + grace) and, once it
    was pinged, ``job_success`` of the last ping (1 ok, 0 fail) — repeated so that an alert on
    a failed run stays open until the next run, rather than resolving when the series goes
    quiet."""
    labels = {"heartbeat": beat.name}
    at = now.timestamp()
    out = [
        Sample("heartbeat_age_seconds", labels, age(beat, now), at),
        Sample("heartbeat_overdue", labels, 1.0 if overdue(beat, config, now) else 0.0, at),
    ]
    if beat.status is not None:
        out.append(Sample("job_success", labels, 1.0 if beat.status is PingStatus.OK else 0.0, at))
    return out


def ping_samples(beat: Heartbeat, config: HeartbeatConfig, now: datetime) -> list[Sample]:
    """The samples a ping writes at once: its state (age 0, ``job_success``) and
    ``job_duration_seconds`` when the job reported one."""
    out = state_samples(beat, config, now)
    if beat.duration is not None:
        out.append(
            Sample("job_duration_seconds", {"heartbeat": beat.name}, beat.duration, out[0].time)
        )
    return out
