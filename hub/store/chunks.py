"""Chunks: compressed blocks of one series' samples, and moving samples out of the head."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from hub.store import tables as t


class StoredChunk(msgspec.Struct, frozen=True):
    """A chunk row: which series and block, and its encoded samples."""

    series_id: int
    block_ms: int
    first_ms: int
    last_ms: int
    count: int
    data: bytes


class ChunkRepo:
    """Compressed chunks and the head rows they are made from."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def lock(self) -> None:
        """Take SQLite's write lock now, at the start of a read-then-write transaction.

        A deferred transaction that reads first and writes later fails with SQLITE_BUSY if
        another connection committed in between; a write statement (even one that changes
        nothing) makes it wait for the lock up front instead. No-op elsewhere.
        """
        if self._conn.dialect.name == "sqlite":
            await self._conn.execute(sa.text("UPDATE chunks SET count = count WHERE 0"))

    async def pending(self, before_ms: int, block_ms: int, limit: int) -> list[tuple[int, int]]:
        """``(series_id, block start)`` pairs with head samples older than ``before_ms``."""
        block = (t.samples.c.time_ms // block_ms) * block_ms
        rows = await self._conn.execute(
            sa.select(t.samples.c.series_id, block.label("block"))
            .where(t.samples.c.time_ms < before_ms)
            .distinct()
            .order_by("block", t.samples.c.series_id)
            .limit(limit)
        )
        return [(int(sid), int(start)) for sid, start in rows]

    async def head_rows(
        self, series_ids: Sequence[int], start_ms: int, end_ms: int
    ) -> list[tuple[int, int, float]]:
        """Head samples ``(series_id, time_ms, value)`` in ``[start_ms, end_ms)``, in order."""
        rows = await self._conn.execute(
            sa.select(t.samples.c.series_id, t.samples.c.time_ms, t.samples.c.value_bits)
            .where(
                t.samples.c.series_id.in_(series_ids),
                t.samples.c.time_ms >= start_ms,
                t.samples.c.time_ms < end_ms,
            )
            .order_by(t.samples.c.series_id, t.samples.c.time_ms)
        )
        return [(sid, ms, t.bits_float(bits)) for sid, ms, bits in rows]

    async def delete_head(self, series_ids: Sequence[int], start_ms: int, end_ms: int) -> None:
        """Drop head samples that now live in chunks."""
        await self._conn.execute(
            sa.delete(t.samples).where(
                t.samples.c.series_id.in_(series_ids),
                t.samples.c.time_ms >= start_ms,
                t.samples.c.time_ms < end_ms,
            )
        )

    async def in_block(self, series_ids: Sequence[int], block_ms: int) -> dict[int, bytes]:
        """Existing chunks of ``series_ids`` for one block."""
        rows = await self._conn.execute(
            sa.select(t.chunks.c.series_id, t.chunks.c.data).where(
                t.chunks.c.series_id.in_(series_ids), t.chunks.c.block_ms == block_ms
            )
        )
        return {sid: data for sid, data in rows}  # noqa: C416 (a Result has keys())

    async def put(self, chunks: Sequence[StoredChunk]) -> None:
        """Write chunks, replacing any with the same series and block (one statement)."""
        if not chunks:
            return
        dialect = sqlite if self._conn.dialect.name == "sqlite" else postgresql
        insert = dialect.insert(t.chunks)
        upsert = insert.on_conflict_do_update(
            index_elements=["series_id", "block_ms"],
            set_={c: insert.excluded[c] for c in ("first_ms", "last_ms", "count", "data")},
        )
        await self._conn.execute(upsert, [msgspec.structs.asdict(c) for c in chunks])

    async def overlapping(
        self, series_ids: Sequence[int], start_ms: int, end_ms: int
    ) -> list[tuple[int, bytes]]:
        """``(series_id, data)`` of the chunks of ``series_ids`` touching the range, in order."""
        if not series_ids:
            return []
        rows = await self._conn.execute(
            sa.select(t.chunks.c.series_id, t.chunks.c.data)
            .where(
                t.chunks.c.series_id.in_(series_ids),
                t.chunks.c.first_ms <= end_ms,
                t.chunks.c.last_ms >= start_ms,
            )
            .order_by(t.chunks.c.series_id, t.chunks.c.block_ms)
        )
        return [(sid, data) for sid, data in rows]

    async def drop_oldest_block(self) -> int:
        """Drop the oldest block of every series (to stay under a size cap); returns chunks."""
        oldest = sa.select(sa.func.min(t.chunks.c.block_ms)).scalar_subquery()
        result = await self._conn.execute(sa.delete(t.chunks).where(t.chunks.c.block_ms == oldest))
        return int(result.rowcount)

    async def delete_before(self, cutoff_ms: int) -> int:
        """Drop chunks whose newest sample is older than ``cutoff_ms``; returns how many."""
        result = await self._conn.execute(sa.delete(t.chunks).where(t.chunks.c.last_ms < cutoff_ms))
        return int(result.rowcount)


class StorageStats(msgspec.Struct, frozen=True):
    """How much is stored where."""

    series: int
    head_samples: int
    chunk_samples: int
    chunks: int
    chunk_bytes: int
    file_bytes: int | None
    """Size of the database file(s) on disk; None when the store is not a local file."""


async def storage_stats(conn: AsyncConnection) -> StorageStats:
    """Counts and sizes of the time-series tables."""
    series = (await conn.execute(sa.select(sa.func.count()).select_from(t.series))).scalar_one()
    head = (await conn.execute(sa.select(sa.func.count()).select_from(t.samples))).scalar_one()
    chunks = (
        await conn.execute(
            sa.select(
                sa.func.count(),
                sa.func.coalesce(sa.func.sum(t.chunks.c.count), 0),
                sa.func.coalesce(sa.func.sum(sa.func.length(t.chunks.c.data)), 0),
            )
        )
    ).one()
    file_bytes = None
    if conn.dialect.name == "sqlite":
        pages = (await conn.execute(sa.text("PRAGMA page_count"))).scalar_one()
        size = (await conn.execute(sa.text("PRAGMA page_size"))).scalar_one()
        file_bytes = int(pages) * int(size)
    return StorageStats(
        int(series), int(head), int(chunks[1]), int(chunks[0]), int(chunks[2]), file_bytes
    )


class StoredRollup(msgspec.Struct, frozen=True):
    """One tier's compressed rollups of one series and block."""

    series_id: int
    resolution_s: int
    block_ms: int
    first_ms: int
    last_ms: int
    data: bytes


class RollupRepo:
    """Per-series aggregates of the 1-minute and 1-hour tiers."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def replace(
        self, series_ids: Sequence[int], block_ms: int, rollups: Sequence[StoredRollup]
    ) -> None:
        """Make ``rollups`` the rollups of ``series_ids`` in one block, all tiers."""
        await self._conn.execute(
            sa.delete(t.rollups).where(
                t.rollups.c.series_id.in_(series_ids), t.rollups.c.block_ms == block_ms
            )
        )
        if rollups:
            await self._conn.execute(
                sa.insert(t.rollups), [msgspec.structs.asdict(r) for r in rollups]
            )

    async def read(
        self, series_ids: Sequence[int], resolution_s: int, start_ms: int, end_ms: int
    ) -> dict[int, list[bytes]]:
        """``series_id -> [data]`` of one tier's blobs touching the range, in time order."""
        out: dict[int, list[bytes]] = {}
        if not series_ids:
            return out
        c = t.rollups.c
        rows = await self._conn.execute(
            sa.select(c.series_id, c.data)
            .where(
                c.series_id.in_(series_ids),
                c.resolution_s == resolution_s,
                c.first_ms <= end_ms,
                c.last_ms >= start_ms,
            )
            .order_by(c.series_id, c.block_ms)
        )
        for sid, data in rows:
            out.setdefault(sid, []).append(data)
        return out

    async def drop_oldest_block(self, resolution_s: int) -> int:
        """Drop one tier's oldest block (to stay under a size cap); returns blobs dropped."""
        c = t.rollups.c
        oldest = (
            sa.select(sa.func.min(c.block_ms))
            .where(c.resolution_s == resolution_s)
            .scalar_subquery()
        )
        result = await self._conn.execute(
            sa.delete(t.rollups).where(c.resolution_s == resolution_s, c.block_ms == oldest)
        )
        return int(result.rowcount)

    async def delete_before(self, resolution_s: int, cutoff_ms: int) -> int:
        """Drop one tier's blocks whose newest bucket is older than ``cutoff_ms``."""
        result = await self._conn.execute(
            sa.delete(t.rollups).where(
                t.rollups.c.resolution_s == resolution_s, t.rollups.c.last_ms < cutoff_ms
            )
        )
        return int(result.rowcount)
