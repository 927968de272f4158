"""Heartbeats: the last ping of each, and when the hub began watching it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from hub.domain.heartbeats import Heartbeat, PingStatus
from hub.store import tables as t
from hub.store.sql import insert_or_ignore


class HeartbeatRepo:
    """The ``heartbeats`` table."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def ensure(self, names: Iterable[str], now: datetime) -> None:
        """Start watching the heartbeats ``names`` not seen before, from ``now`` (a write:
        done once at start, not on every read)."""
        wanted = sorted(set(names))
        if wanted:
            await self._conn.execute(
                insert_or_ignore(self._conn, t.heartbeats),
                [{"name": name, "created_at": now} for name in wanted],
            )

    async def get(self, names: Iterable[str]) -> list[Heartbeat]:
        """The watched heartbeats among ``names``."""
        c = t.heartbeats.c
        rows = await self._conn.execute(
            sa.select(
                c.name, c.created_at, c.last_ping_at, c.status, c.message, c.duration_s
            ).where(c.name.in_(sorted(set(names))))
        )
        return [
            Heartbeat(name, created, pinged, None if status is None else PingStatus(status), m, d)
            for name, created, pinged, status, m, d in rows
        ]

    async def ping(
        self,
        name: str,
        now: datetime,
        status: PingStatus,
        message: str | None,
        duration: float | None,
    ) -> Heartbeat:
        """Record a ping and return the heartbeat after it."""
        await self.ensure([name], now)
        created = await self._conn.scalar(
            sa.update(t.heartbeats)
            .where(t.heartbeats.c.name == name)
            .values(last_ping_at=now, status=status.value, message=message, duration_s=duration)
            .returning(t.heartbeats.c.created_at)
        )
        return Heartbeat(name, created or now, now, status, message, duration)
