"""Heartbeats: cron and backup jobs ping ``POST /api/v1/heartbeats/{name}`` when they run."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

import msgspec
from litestar import Request, get, post
from litestar.exceptions import ClientException, NotFoundException
from litestar.params import FromPath, FromQuery

from hub.api.state import HubDep
from hub.domain.config import HeartbeatConfig
from hub.domain.heartbeats import Heartbeat, PingStatus, age, overdue, ping_samples

MAX_MESSAGE = 1000
"""Characters of a ping's message that are kept (the tail of a log is usually enough)."""


class PingCreate(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Optional JSON body of a ping; the query parameters of the same names also work."""

    status: PingStatus | None = None
    message: str | None = None
    duration: float | None = None


class HeartbeatRead(msgspec.Struct, frozen=True):
    """A heartbeat: its configuration and its last ping."""

    name: str
    period: float
    grace: float
    created_at: datetime
    last_ping_at: datetime | None
    status: PingStatus | None
    message: str | None
    duration: float | None
    age: float
    """Seconds since the last ping (or since the hub began watching a never-pinged one)."""
    overdue: bool

    @classmethod
    def of(cls, beat: Heartbeat, config: HeartbeatConfig, now: datetime) -> HeartbeatRead:
        """The wire form of ``beat``."""
        return cls(
            beat.name,
            config.period,
            config.grace,
            beat.created_at,
            beat.last_ping_at,
            beat.status,
            beat.message,
            beat.duration,
            age(beat, now),
            overdue(beat, config, now),
        )


@post("/api/v1/heartbeats/{name:str}", tags=["heartbeats"], status_code=200)
async def ping_heartbeat(
    request: Request[Any, Any, Any],
    hub: HubDep,
    name: FromPath[str],
    status: FromQuery[str | None] = None,
    message: FromQuery[str | None] = None,
    duration: FromQuery[str | None] = None,
) -> HeartbeatRead:
    """Record that job ``name`` ran: ``status`` ok (default) or fail, optional ``message`` and
    ``duration`` (seconds), as query parameters or a JSON body. A non-JSON body is taken as
    the message (e.g. the tail of a log). 404 for a name not in monitoring.yml."""
    config = hub.settings.monitoring.heartbeats.get(name)
    if config is None:
        raise NotFoundException(f"no heartbeat named {name!r} in monitoring.yml")
    ping = await _ping(request, status, message, duration)
    now = hub.clock.now()
    text = None if ping.message is None else ping.message[-MAX_MESSAGE:]
    async with hub.store.tx() as tx:
        beat = await tx.heartbeats.ping(
            name, now, ping.status or PingStatus.OK, text, ping.duration
        )
    await hub.jobs.ingest(ping_samples(beat, config, now))
    return HeartbeatRead.of(beat, config, now)


@get("/api/v1/heartbeats", tags=["heartbeats"])
async def list_heartbeats(hub: HubDep) -> list[HeartbeatRead]:
    """Every heartbeat in monitoring.yml with its last ping and age."""
    configs = hub.settings.monitoring.heartbeats
    now = hub.clock.now()
    async with hub.store.tx() as tx:
        beats = await tx.heartbeats.get(configs)
    return [HeartbeatRead.of(b, configs[b.name], now) for b in sorted(beats, key=lambda b: b.name)]


async def _ping(
    request: Request[Any, Any, Any], status: str | None, message: str | None, duration: str | None
) -> PingCreate:
    """The ping's fields from the body, falling back to the query; 400 when one is invalid."""
    body = await request.body()
    from_body = PingCreate()
    if body.strip():
        if request.headers.get("content-type", "").startswith("application/json"):
            try:
                from_body = msgspec.json.decode(body, type=PingCreate)
            except msgspec.DecodeError as exc:
                raise ClientException(f"invalid ping body: {exc}") from None
        else:
            from_body = PingCreate(message=body.decode("utf-8", "replace"))
    try:
        query_status = None if status is None else PingStatus(status.strip().lower())
    except ValueError:
        raise ClientException(f"status must be ok or fail, not {status!r}") from None
    try:
        query_duration = None if duration is None else float(duration)
    except ValueError:
        raise ClientException(f"duration must be a number of seconds, not {duration!r}") from None
    query = PingCreate(status=query_status, message=message, duration=query_duration)
    seconds = from_body.duration if from_body.duration is not None else query.duration
    if seconds is not None and not (math.isfinite(seconds) and seconds >= 0):
        raise ClientException("duration must be a non-negative number of seconds")
    return PingCreate(
        status=from_body.status or query.status,
        message=from_body.message if from_body.message is not None else query.message,
        duration=seconds,
    )
