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

    async def watch(self, names: Iterable[str], now: datetime) -> list[Heartbeat]:
        """The heartbeats ``names``; one not seen before starts being watched at ``now``."""
        wanted = sorted(set(names))
        if not wanted:
            return []
        await self._conn.execute(
            insert_or_ignore(self._conn, t.heartbeats),
            [{"name": name, "created_at": now} for name in wanted],
        )
        c = t.heartbeats.c
        rows = await self._conn.execute(
            sa.select(
                c.name, c.created_at, c.last_ping_at, c.status, c.message, c.duration_s
            ).where(c.name.in_(wanted))
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
        (beat,) = await self.watch([name], now)
        await self._conn.execute(
            sa.update(t.heartbeats)
            .where(t.heartbeats.c.name == name)
            .values(last_ping_at=now, status=status.value, message=message, duration_s=duration)
        )
        return Heartbeat(name, beat.created_at, now, status, message, duration)
