"""Notification pipeline state, silences and small hub facts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from hub.domain.silences import Silence
from hub.store import tables as t
from hub.store.sql import upsert


class NotifyStateRepo:
    """The ``notify_state`` table: msgpack blobs by kind and key."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def load(self, kind: str) -> dict[str, bytes]:
        """Every blob of ``kind`` by key."""
        c = t.notify_state.c
        rows = await self._conn.execute(sa.select(c.key, c.data).where(c.kind == kind))
        return {key: bytes(data) for key, data in rows}

    async def put(self, kind: str, key: str, data: bytes, now: datetime) -> None:
        """Store (or replace) one blob."""
        await self._conn.execute(
            upsert(self._conn, t.notify_state, ["kind", "key"]),
            {"kind": kind, "key": key, "data": data, "updated_at": now},
        )

    async def put_many(self, kind: str, blobs: dict[str, bytes], now: datetime) -> None:
        """Store (or replace) many blobs of ``kind`` in one statement."""
        if blobs:
            await self._conn.execute(
                upsert(self._conn, t.notify_state, ["kind", "key"]),
                [
                    {"kind": kind, "key": key, "data": data, "updated_at": now}
                    for key, data in blobs.items()
                ],
            )

    async def delete_many(self, kind: str, keys: list[str]) -> None:
        """Forget many blobs of ``kind`` in one statement."""
        if keys:
            c = t.notify_state.c
            await self._conn.execute(
                sa.delete(t.notify_state).where(c.kind == kind, c.key.in_(keys))
            )

    async def delete(self, kind: str, key: str) -> None:
        """Forget one blob."""
        c = t.notify_state.c
        await self._conn.execute(sa.delete(t.notify_state).where(c.kind == kind, c.key == key))


class SilenceRepo:
    """The ``silences`` table."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def put(self, silence: Silence) -> None:
        """Store a new or changed silence."""
        await self._conn.execute(
            upsert(self._conn, t.silences, ["id"]),
            {
                "id": silence.id,
                "data": msgspec.json.encode(silence).decode(),
                "ends_at": silence.ends_at,
            },
        )

    async def get(self, silence_id: str) -> Silence | None:
        """One silence by id."""
        row = await self._conn.scalar(
            sa.select(t.silences.c.data).where(t.silences.c.id == silence_id)
        )
        return None if row is None else msgspec.json.decode(row, type=Silence)

    async def ending_after(self, when: datetime) -> list[Silence]:
        """Silences that end after ``when`` (pending, active and recently expired), by end."""
        c = t.silences.c
        rows = await self._conn.scalars(
            sa.select(c.data).where(c.ends_at > when).order_by(c.ends_at)
        )
        return [msgspec.json.decode(row, type=Silence) for row in rows]

    async def delete_ended_before(self, when: datetime) -> int:
        """Forget silences that ended before ``when``; returns how many."""
        result = await self._conn.execute(sa.delete(t.silences).where(t.silences.c.ends_at < when))
        return int(result.rowcount or 0)


class MetaRepo:
    """The ``hub_meta`` table: small named facts as text."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def get(self, key: str) -> str | None:
        """The value of ``key``, or None."""
        value = await self._conn.scalar(
            sa.select(t.hub_meta.c.value).where(t.hub_meta.c.key == key)
        )
        return None if value is None else str(value)

    async def set(self, key: str, value: str) -> None:
        """Set ``key`` to ``value``."""
        await self._conn.execute(
            upsert(self._conn, t.hub_meta, ["key"]), {"key": key, "value": value}
        )


class RuleRepo:
    """The ``rules`` table: rules created through the API, as their alerts.yml entry (JSON)."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def all(self) -> dict[str, dict[str, Any]]:
        """Every stored rule's entry by name, in the order they were created."""
        c = t.rules.c
        rows = await self._conn.execute(sa.select(c.name, c.spec).order_by(c.created_at, c.name))
        return {name: msgspec.json.decode(spec) for name, spec in rows}

    async def put(self, name: str, spec: dict[str, Any], now: datetime) -> None:
        """Create or replace a rule (its creation time is kept on replace)."""
        c = t.rules.c
        text = msgspec.json.encode(spec).decode()
        updated = await self._conn.execute(
            sa.update(t.rules).where(c.name == name).values(spec=text, updated_at=now)
        )
        if not updated.rowcount:
            await self._conn.execute(
                sa.insert(t.rules).values(name=name, spec=text, created_at=now, updated_at=now)
            )

    async def delete(self, name: str) -> bool:
        """Delete a rule; False when there was none."""
        result = await self._conn.execute(sa.delete(t.rules).where(t.rules.c.name == name))
        return bool(result.rowcount)
