"""Metrics API: current values, ranges, live events (SSE), Prometheus /metrics, health, rules."""

from __future__ import annotations

import asyncio
import functools
from collections import defaultdict
from collections.abc import AsyncGenerator, Iterator
from typing import Any

import msgspec
from litestar import Response, get
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromQuery
from litestar.response import Stream
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from hub.alerts.engine import LOOKBACK
from hub.api.auth import PUBLIC
from hub.api.exposition import sample_families
from hub.api.schemas import Health, Readiness, SampleRead
from hub.api.state import HubDep
from hub.domain.alerts import Alert
from hub.domain.samples import Sample
from hub.domain.topology import of_service
from hub.lib.bus import Event, next_event
from hub.lib.sse import frame

KEEPALIVE_SECONDS = 15.0
"""A stream with no event for this long gets a ``ping`` comment (proxies drop idle ones)."""
SSE_HEADERS = {"Cache-Control": "no-cache", "Connection": "keep-alive", "X-Accel-Buffering": "no"}
WRITE_BYTES = 64 * 1024
"""A dashboard's queued events are joined into one write up to about this size: asyncio's
default high-water mark, past which a write waits for the dashboard to read. Unbounded, a
dashboard far behind got up to 256 events in one write and the hub's RSS peaked at 401 MB."""
CONNECTED = frame(comment="connected", retry=3000)
PING = frame(comment="ping")


@get("/healthz", tags=["health"], opt=PUBLIC)
async def healthz() -> Health:
    """Liveness: the process answers (no auth)."""
    return Health("ok")


READY_TIMEOUT = 2.0
"""Seconds the store has to answer /readyz's query."""


@get(
    "/readyz",
    tags=["health"],
    opt=PUBLIC,
    responses={503: ResponseSpec(Readiness, generate_examples=False)},
)
async def readyz(hub: HubDep) -> Response[Readiness]:
    """Readiness (no auth): 200 when the store answers and no job is overdue, else 503 with
    the reason."""
    reasons: list[str] = []
    try:
        async with asyncio.timeout(READY_TIMEOUT):
            async with hub.store.tx() as tx:
                await tx.outbox.count("pending")
    except Exception as error:  # any failure to answer means not ready
        reasons.append(f"store: {type(error).__name__}: {error}"[:300])
    overdue = hub.jobs.monitor.overdue(hub.clock.now())
    reasons += [f"job {job}: {why}" for job, why in overdue.items()]
    if reasons:
        return Response(Readiness("unavailable", reasons), status_code=503)
    return Response(Readiness("ok"))


@get("/api/v1/metrics/current", tags=["metrics"])
async def current_metrics(hub: HubDep, service: FromQuery[str | None] = None) -> list[SampleRead]:
    """The newest value of every series; with ``service``, that service's series and those of
    the container serving it (CPU, memory …)."""
    samples = await hub.tsdb.latest(since=hub.clock.now() - LOOKBACK)
    if service is not None:
        samples = of_service(samples, service, hub.settings.monitoring.services.get(service))
    return [SampleRead.of(s) for s in samples]


@get("/api/v1/events", tags=["live"], media_type="text/event-stream")
async def stream_events(hub: HubDep) -> Stream:
    """Server-sent events: ``samples`` after each collection, ``alert`` on every change."""
    return Stream(_events(hub), media_type="text/event-stream", headers=SSE_HEADERS)


async def _events(hub: HubDep) -> AsyncGenerator[bytes, None]:
    """The stream's bytes. Each event is framed once for every dashboard (``Bus.encoded``),
    and the events a dashboard's queue holds when it wakes go out as one write (up to
    ``WRITE_BYTES``): under load, one send per dashboard per wake-up instead of one per event,
    with no added delay."""
    async with hub.bus.subscribe() as queue:
        yield CONNECTED
        while True:
            event = await next_event(queue, KEEPALIVE_SECONDS)
            if event is None:
                yield PING
                continue
            chunk = _framed(hub, event)
            if queue.empty():
                yield chunk
                continue
            chunks, size = [chunk], len(chunk)
            while size < WRITE_BYTES and not queue.empty():
                chunk = _framed(hub, queue.get_nowait())
                chunks.append(chunk)
                size += len(chunk)
            yield b"".join(chunks)


def _framed(hub: HubDep, event: Event) -> bytes:
    topic, payload = event
    return hub.bus.encoded(payload, functools.partial(_event_frame, topic))


def _event_frame(topic: str, payload: Any) -> bytes:
    if topic == "samples":
        payload = [SampleRead.of(s) for s in payload]
    return frame(event=topic, data=msgspec.json.encode(payload).decode())


@get("/metrics", tags=["metrics"], media_type=CONTENT_TYPE_LATEST)
async def prometheus_metrics(hub: HubDep) -> Response[bytes]:
    """Every current value in the Prometheus text format (C4, C7)."""
    samples = await hub.tsdb.latest(since=hub.clock.now() - LOOKBACK)
    async with hub.store.tx() as tx:
        open_alerts = await tx.alerts.open()
        pending_notifications = await tx.outbox.count("pending")
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Snapshot(samples, open_alerts, pending_notifications))
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


HUB_FAMILIES = frozenset({"tcf_alerts", "tcf_hub_notifications_pending"})
"""Families /metrics adds besides the stored samples; a stored metric never takes their name."""


class _Snapshot:
    """A prometheus_client collector over values already read from the store."""

    def __init__(self, samples: list[Sample], alerts: list[Alert], pending: int) -> None:
        self._samples = samples
        self._alerts = alerts
        self._pending = pending

    def collect(self) -> Iterator[Metric]:
        yield from sample_families(self._samples, reserved=HUB_FAMILIES)
        alerts = GaugeMetricFamily(
            "tcf_alerts", "Open alerts by state and severity", labels=["state", "severity"]
        )
        counts: dict[tuple[str, str], int] = defaultdict(int)
        for alert in self._alerts:
            counts[(alert.state.value, alert.severity.value)] += 1
        for (state, severity), count in sorted(counts.items()):
            alerts.add_metric([state, severity], count)
        yield alerts
        yield GaugeMetricFamily(
            "tcf_hub_notifications_pending",
            "Notifications queued for delivery",
            value=self._pending,
        )
