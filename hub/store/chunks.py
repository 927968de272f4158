"""Chunks: compressed blocks of one series' samples, and moving samples out of the head.

The bulk paths (the head, chunks and rollups written by compaction) run plain SQL through the
driver with tuples as parameters: building SQLAlchemy parameter dicts for every sample cost more
than SQLite's work (tests/bench/storage.py).
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from itertools import zip_longest
from typing import Any, TypeVar

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from hub.store import tables as t
from hub.store.driver import execute, execute_many, fetch_all, placeholders

Columns = tuple[list[int], list[float]]
"""Times (ms) and values of one series."""

_IN_LIMIT = 1000
"""Series ids per ``IN (…)`` list, well under SQLite's and PostgreSQL's parameter limits."""


def bits_of(values: Sequence[float]) -> list[int]:
    """The IEEE-754 bits of each value as signed int64 (how the head stores values)."""
    return array("q", array("d", values).tobytes()).tolist()


def floats_of(bits: Sequence[int]) -> list[float]:
    """The floats whose IEEE-754 bits are ``bits`` (the inverse of ``bits_of``)."""
    return array("d", array("q", bits).tobytes()).tolist()


_int_list = msgspec.json.Decoder(list[int])


def _per_series(rows: Sequence[tuple[Any, ...]]) -> dict[int, Columns]:
    """Columns per series from one row per timestamp, ``(time_ms, series ids, value bits)``
    with the ids and bits as comma-separated text in the same order, rows in time order.

    Rows with the same series ids (the batches of one collector) are parsed together into one
    array of floats, row after row, and each series' values are a strided slice of it: msgspec
    parses the integers in C, and nothing loops over the samples in Python. A series found in
    rows of several kinds is put in time order.
    """
    kinds: dict[str, tuple[list[int], list[str]]] = {}
    for time_ms, ids, bits in rows:
        times, texts = kinds.setdefault(ids, ([], []))
        times.append(time_ms)
        texts.append(bits)
    parts: dict[int, list[tuple[list[int], array[float]]]] = {}
    for ids, (times, texts) in kinds.items():
        series_ids = _int_list.decode(f"[{ids}]")
        values = array("d", array("q", _int_list.decode(f"[{','.join(texts)}]")).tobytes())
        width = len(series_ids)
        if len(values) != width * len(times):
            raise ValueError("a row's series ids and values differ in number")
        for column, series_id in enumerate(series_ids):
            parts.setdefault(series_id, []).append((times, values[column::width]))
    return {series_id: _joined(series_parts) for series_id, series_parts in parts.items()}


def _joined(parts: list[tuple[list[int], array[float]]]) -> Columns:
    """One series' columns from its ``(times, values)`` in rows of one or more kinds."""
    if len(parts) == 1:
        times, values = parts[0]
        return list(times), values.tolist()  # a copy: series of one kind share the times
    pairs = sorted(pair for times, values in parts for pair in zip(times, values, strict=True))
    return [ms for ms, _ in pairs], [value for _, value in pairs]


def _grouped(conn: AsyncConnection, rows_sql: str) -> str:
    """A query for one row per timestamp, ``(time_ms, series ids, value bits)`` with the ids
    and bits as comma-separated text in the same order, over the ``series_id, time_ms,
    value_bits`` rows of ``rows_sql``, in time order.

    One row per timestamp instead of one per sample: hundreds of thousands of row objects
    alive at once made the garbage collector, not the database, the slowest part of
    compaction. Per timestamp rather than per series: the head is keyed by time first, so
    SQLite groups the rows as it reads them instead of sorting them all by series first
    (measured: 0.38 s → 0.17 s for the 720,000 samples of tests/bench/compaction.py).
    """
    template = _GROUPED_SQLITE if conn.dialect.name == "sqlite" else _GROUPED_POSTGRESQL
    return template.format(rows=rows_sql)


# Both of a row's aggregates read its samples in the same order, so their lists line up.
_GROUPED_SQLITE = (
    "SELECT time_ms, group_concat(series_id), group_concat(value_bits) FROM ({rows}) "
    "GROUP BY time_ms ORDER BY time_ms"
)
_GROUPED_POSTGRESQL = (
    "SELECT time_ms, string_agg(series_id::text, ',' ORDER BY series_id), "
    "string_agg(value_bits::text, ',' ORDER BY series_id) FROM ({rows}) AS r "
    "GROUP BY time_ms ORDER BY time_ms"
)


_HEAD_RANGE = (
    "SELECT series_id, time_ms, value_bits FROM samples "
    "WHERE series_id IN ({ids}) AND time_ms BETWEEN ? AND ?"
)
"""Only placeholders are formatted in (``placeholders``): values are always parameters."""


async def head_columns(
    conn: AsyncConnection, series_ids: Sequence[int], start_ms: int, end_ms: int
) -> dict[int, Columns]:
    """Head samples of ``series_ids`` in ``[start_ms, end_ms]``, as columns per series."""
    out: dict[int, Columns] = {}
    for first in range(0, len(series_ids), _IN_LIMIT):
        ids = series_ids[first : first + _IN_LIMIT]
        sql = _grouped(conn, _HEAD_RANGE.format(ids=placeholders(len(ids))))
        out.update(_per_series(await fetch_all(conn, sql, (*ids, start_ms, end_ms))))
    return out


Blob = TypeVar("Blob", "StoredChunk", "StoredRollup")


def pairing_order(rows: Sequence[Blob]) -> list[Blob]:
    """Rows in the order largest, smallest, second largest, second smallest … of their data.

    SQLite fills a table's pages in rowid order and starts a new page when the next row does
    not fit, so two 2.5 KB chunks in a row take two 4 KB pages; a large chunk followed by a
    small one shares its page (measured on the recorded host: 8 chunk pages become 6).
    """
    by_size = sorted(rows, key=lambda row: len(row.data))
    large, small = by_size[len(by_size) // 2 :][::-1], by_size[: len(by_size) // 2]
    return [row for pair in zip_longest(large, small) for row in pair if row is not None]


class StoredChunk(msgspec.Struct, frozen=True, array_like=True):
    """A chunk row: which series and block, and its encoded samples."""

    series_id: int
    block_ms: int
    first_ms: int
    last_ms: int
    count: int
    data: bytes


_PUT_CHUNKS = (
    "INSERT INTO chunks (series_id, block_ms, first_ms, last_ms, count, data) "
    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (series_id, block_ms) DO UPDATE SET "
    "first_ms = excluded.first_ms, last_ms = excluded.last_ms, count = excluded.count, "
    "data = excluded.data"
)
_HEAD_BLOCK = "FROM samples WHERE time_ms >= ? AND time_ms < ? AND series_id BETWEEN ? AND ?"
_SELECT_HEAD_BLOCK = "SELECT series_id, time_ms, value_bits " + _HEAD_BLOCK
_DELETE_HEAD_BLOCK = "DELETE " + _HEAD_BLOCK
_TAKE_HEAD_BLOCK = (
    "WITH taken AS (DELETE " + _HEAD_BLOCK + " RETURNING series_id, time_ms, value_bits) {grouped}"
)


_CHUNKS_IN_BLOCK = "SELECT series_id, data FROM chunks WHERE block_ms = ? AND series_id IN ({ids})"
_OVERLAPPING_CHUNKS = (
    "SELECT series_id, data FROM chunks WHERE series_id IN ({ids}) AND first_ms <= ? "
    "AND last_ms >= ? ORDER BY series_id, block_ms"
)


class ChunkRepo:
    """Compressed chunks and the head rows they are made from."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def series_ids(self) -> list[int]:
        """Ids of every series, ascending."""
        rows = await self._conn.execute(sa.select(t.series.c.id).order_by(t.series.c.id))
        return list(rows.scalars())

    async def next_head_block(self, from_ms: int, before_ms: int, block_ms: int) -> int | None:
        """Start of the first block with head samples in ``[from_ms, before_ms)`` (one index
        lookup: the head is keyed by time first)."""
        result = await self._conn.execute(
            sa.select(sa.func.min(t.samples.c.time_ms)).where(
                t.samples.c.time_ms >= from_ms, t.samples.c.time_ms < before_ms
            )
        )
        first = result.scalar_one_or_none()
        return None if first is None else int(first) // block_ms * block_ms

    async def take_head(
        self, series_range: tuple[int, int], start_ms: int, end_ms: int
    ) -> dict[int, Columns]:
        """Delete the head samples of series ids in ``series_range`` (inclusive) and times in
        ``[start_ms, end_ms)``, and return them as columns per series.

        What is returned is exactly what is deleted: on SQLite the transaction holds the
        write lock from its first statement, so nothing is inserted between reading and
        deleting; on PostgreSQL the rows are read from the DELETE itself (``RETURNING`` in a
        data-modifying ``WITH``), so a sample inserted meanwhile stays in the head.
        """
        params = (start_ms, end_ms, *series_range)
        if self._conn.dialect.name == "sqlite":
            await execute(self._conn, "UPDATE chunks SET count = count WHERE 0")
            rows = await fetch_all(self._conn, _grouped(self._conn, _SELECT_HEAD_BLOCK), params)
            await execute(self._conn, _DELETE_HEAD_BLOCK, params)
        else:
            sql = _TAKE_HEAD_BLOCK.format(grouped=_grouped(self._conn, "SELECT * FROM taken"))
            rows = await fetch_all(self._conn, sql, params)
        return _per_series(rows)

    async def in_block(self, series_ids: Sequence[int], block_ms: int) -> dict[int, bytes]:
        """Existing chunks of ``series_ids`` for one block."""
        out: dict[int, bytes] = {}
        for first in range(0, len(series_ids), _IN_LIMIT):
            ids = series_ids[first : first + _IN_LIMIT]
            sql = _CHUNKS_IN_BLOCK.format(ids=placeholders(len(ids)))
            out.update(await fetch_all(self._conn, sql, (block_ms, *ids)))
        return out

    async def put(self, chunks: Sequence[StoredChunk]) -> None:
        """Write chunks, replacing any with the same series and block (one executemany)."""
        if chunks:
            rows = [msgspec.structs.astuple(c) for c in pairing_order(chunks)]
            await execute_many(self._conn, _PUT_CHUNKS, rows)

    async def overlapping(
        self, series_ids: Sequence[int], start_ms: int, end_ms: int
    ) -> list[tuple[int, bytes]]:
        """``(series_id, data)`` of the chunks of ``series_ids`` touching the range, in order."""
        out: list[tuple[int, bytes]] = []
        for first in range(0, len(series_ids), _IN_LIMIT):
            ids = series_ids[first : first + _IN_LIMIT]
            sql = _OVERLAPPING_CHUNKS.format(ids=placeholders(len(ids)))
            out.extend(await fetch_all(self._conn, sql, (*ids, end_ms, start_ms)))
        return out

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
        pages, _, size = await sqlite_pages(conn)
        file_bytes = pages * size
    return StorageStats(
        int(series), int(head), int(chunks[1]), int(chunks[0]), int(chunks[2]), file_bytes
    )


async def sqlite_pages(conn: AsyncConnection) -> tuple[int, int, int]:
    """A SQLite file's pages, free pages and page size."""
    pages = (await conn.execute(sa.text("PRAGMA page_count"))).scalar_one()
    free = (await conn.execute(sa.text("PRAGMA freelist_count"))).scalar_one()
    size = (await conn.execute(sa.text("PRAGMA page_size"))).scalar_one()
    return int(pages), int(free), int(size)


class StoredRollup(msgspec.Struct, frozen=True, array_like=True):
    """One tier's compressed rollups of one series and block."""

    series_id: int
    resolution_s: int
    block_ms: int
    first_ms: int
    last_ms: int
    data: bytes


_PUT_ROLLUPS = (
    "INSERT INTO rollups (series_id, resolution_s, block_ms, first_ms, last_ms, data) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)


_DELETE_ROLLUPS = (
    "DELETE FROM rollups WHERE block_ms = ? AND series_id IN ({ids}) AND resolution_s IN ({tiers})"
)
_READ_ROLLUPS = (
    "SELECT series_id, data FROM rollups WHERE series_id IN ({ids}) AND resolution_s = ? "
    "AND first_ms <= ? AND last_ms >= ? ORDER BY series_id, block_ms"
)
"""Only placeholders are formatted in (``placeholders``): values are always parameters."""


class RollupRepo:
    """Per-series aggregates of the 1-minute and 1-hour tiers."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def replace(
        self,
        series_ids: Sequence[int],
        block_ms: int,
        resolutions: Sequence[int],
        rollups: Sequence[StoredRollup],
    ) -> None:
        """Make ``rollups`` the rollups of ``series_ids`` in one block, for the tiers of
        ``resolutions``.

        Naming the tiers lets the delete look up each (series, tier, block) key; with only the
        series and block it read every block's entries of each series in the unique index.
        """
        tiers = placeholders(len(resolutions))
        for first in range(0, len(series_ids), _IN_LIMIT):
            ids = series_ids[first : first + _IN_LIMIT]
            sql = _DELETE_ROLLUPS.format(ids=placeholders(len(ids)), tiers=tiers)
            await execute(self._conn, sql, (block_ms, *ids, *resolutions))
        if rollups:
            rows = [msgspec.structs.astuple(r) for r in pairing_order(rollups)]
            await execute_many(self._conn, _PUT_ROLLUPS, rows)

    async def read(
        self, series_ids: Sequence[int], resolution_s: int, start_ms: int, end_ms: int
    ) -> dict[int, list[bytes]]:
        """``series_id -> [data]`` of one tier's blobs touching the range, in time order."""
        out: dict[int, list[bytes]] = {}
        for first in range(0, len(series_ids), _IN_LIMIT):
            ids = series_ids[first : first + _IN_LIMIT]
            sql = _READ_ROLLUPS.format(ids=placeholders(len(ids)))
            for sid, data in await fetch_all(
                self._conn, sql, (*ids, resolution_s, end_ms, start_ms)
            ):
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
