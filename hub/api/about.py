"""About API: what the dashboard's About view shows (version, uptime, store size)."""

from __future__ import annotations

import msgspec
import psutil
from litestar import get

from hub import __version__
from hub.api.state import HubDep


class About(msgspec.Struct, frozen=True):
    """The running hub in a few figures."""

    version: str
    started_at: float
    """Unix seconds when the hub's process started."""
    uptime_seconds: float
    store_bytes: int | None
    """Bytes of the SQLite file that hold data; None on other databases."""
    store_backend: str


@get("/api/v1/about", tags=["health"])
async def about(hub: HubDep) -> About:
    """Version, uptime and store size of this hub."""
    started = psutil.Process().create_time()
    now = hub.clock.now().timestamp()
    return About(
        version=__version__,
        started_at=started,
        uptime_seconds=max(0.0, now - started),
        store_bytes=await hub.store.used_bytes(),
        store_backend=hub.store.engine.dialect.name,
    )
