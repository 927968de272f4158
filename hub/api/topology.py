"""Topology API: hosts, containers and services with health and the edges between them."""

from __future__ import annotations

from datetime import timedelta

from litestar import get

from hub.api.state import HubDep
from hub.domain.topology import Topology, build_topology

REMEMBER = timedelta(days=1)
"""A host, container or service silent for longer than this drops out of the topology."""
MIN_STALE_SECONDS = 30.0


@get("/api/v1/topology", tags=["metrics"])
async def topology(hub: HubDep) -> Topology:
    """Every host, container and service seen in the last day, worst health first; a host is
    down after three collection intervals (at least 30 s) without data."""
    now = hub.clock.now()
    latest = await hub.tsdb.latest(since=now - REMEMBER, ordered=False)
    monitoring = hub.settings.monitoring
    return build_topology(
        latest,
        monitoring.services,
        now=now.timestamp(),
        stale_after=max(MIN_STALE_SECONDS, 3 * float(monitoring.collection.interval)),
    )
