"""Agents (C10): ``POST /api/v1/ingest`` takes a batch of samples; ``GET /api/v1/hosts``."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

import msgspec
from litestar import Request, get, post
from litestar.exceptions import HTTPException
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_415_UNSUPPORTED_MEDIA_TYPE,
    HTTP_422_UNPROCESSABLE_ENTITY,
)

from hub.api.state import HubDep
from hub.domain.ingest import (
    IngestError,
    IngestResult,
    UnsupportedBatchTypeError,
    batch_samples,
    decode_batch,
)
from hub.lib.clock import from_unix


class HostRead(msgspec.Struct, frozen=True):
    """A host that sent samples (this machine, or an agent's) and when it last did."""

    host: str
    last_seen: float
    """Unix time of its newest sample."""
    series: int
    """How many of its series have a sample within raw retention."""


@post("/api/v1/ingest", tags=["agents"], status_code=200)
async def ingest_batch(request: Request[Any, Any, Any], hub: HubDep) -> IngestResult:
    """Store an agent's batch (msgpack or JSON, see hub/domain/ingest.py), publish it to the
    live bus and answer; its rules are evaluated in the background (batches arriving meanwhile
    share an evaluation), so 200 agents do not queue behind rules. A re-sent batch is harmless.
    400: malformed; 415: neither msgpack nor JSON; 422: breaks a limit (nothing is stored)."""
    now = hub.clock.now()
    oldest = (now - timedelta(seconds=hub.settings.monitoring.retention.raw)).timestamp()
    try:
        batch = decode_batch(await request.body(), request.headers.get("content-type", ""))
    except UnsupportedBatchTypeError as exc:
        raise HTTPException(status_code=HTTP_415_UNSUPPORTED_MEDIA_TYPE, detail=str(exc)) from None
    except IngestError as exc:
        raise HTTPException(status_code=HTTP_400_BAD_REQUEST, detail=str(exc)) from None
    try:
        samples = batch_samples(batch, now, oldest)
    except IngestError as exc:
        raise HTTPException(status_code=HTTP_422_UNPROCESSABLE_ENTITY, detail=str(exc)) from None
    return IngestResult(await hub.jobs.ingest(samples, wait=False))


@get("/api/v1/hosts", tags=["agents"])
async def list_hosts(hub: HubDep) -> list[HostRead]:
    """Every host with recent samples (labelled ``host``): this one and agents' hosts."""
    newest: dict[str, float] = {}
    counts: dict[str, int] = defaultdict(int)
    for sample in await hub.tsdb.latest(since=from_unix(0), ordered=False):
        host = sample.labels.get("host")
        if host is None:
            continue
        counts[host] += 1
        newest[host] = max(newest.get(host, 0.0), sample.time)
    return [HostRead(h, newest[h], counts[h]) for h in sorted(newest)]
