"""Compaction: samples leave the head for compressed chunks, one block and range of series at a
time.

Every step is one transaction that takes (deletes and returns) the head rows of a block and a
range of series, merges them with any existing chunk of the block, and writes the chunks and the
rollups; a crash rolls the step back and the next run redoes it, so compaction is idempotent and
resumes by itself. A late sample for a block that was already compacted lands in the head and
is merged into the block's chunk by the next run.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from hub.store import Store
from hub.store.chunks import Columns, StoredChunk, StoredRollup
from hub.tsdb.codec import decode, encode
from hub.tsdb.rollup import TIERS, pack, summarize_tiers

BLOCK_MS = 2 * 3600 * 1000
"""Samples of one series in one aligned 2-hour block share a chunk (Prometheus' block size)."""
GRACE_MS = 10 * 60 * 1000
"""A block is compacted once it ended this long ago, leaving room for slightly late samples."""
BATCH = 500
"""Series per transaction: bounded memory and short write locks."""
_LAST_ID = 2**62


class CompactionReport(msgspec.Struct):
    """What one compaction run did."""

    chunks: int = 0
    samples: int = 0
    bytes: int = 0


def merge(existing: bytes | None, times: list[int], values: list[float]) -> Columns:
    """Samples of a chunk plus head samples, by time; a chunk's sample wins over a repeat."""
    if existing is None:
        return times, values
    by_time = dict(zip(times, values, strict=True))
    by_time.update(zip(*decode(existing), strict=True))
    ordered = sorted(by_time)
    return ordered, [by_time[ms] for ms in ordered]


def compact_block(
    block_ms: int, head: dict[int, Columns], existing: dict[int, bytes]
) -> tuple[list[StoredChunk], list[StoredRollup]]:
    """The chunks and rollups of one block for the series in ``head`` (pure)."""
    chunks, rolled = [], []
    for series_id, (head_times, head_values) in head.items():
        times, values = merge(existing.get(series_id), head_times, head_values)
        data = encode(times, values)
        chunks.append(StoredChunk(series_id, block_ms, times[0], times[-1], len(times), data))
        for tier, summary in zip(TIERS, summarize_tiers(times, values), strict=True):
            if summary.times_ms:
                first, last = summary.times_ms[0], summary.times_ms[-1]
                rolled.append(StoredRollup(series_id, tier, block_ms, first, last, pack(summary)))
    return chunks, rolled


def series_ranges(series_ids: Sequence[int], batch: int) -> list[tuple[int, int]]:
    """Inclusive id ranges of about ``batch`` series each, together covering every id."""
    starts = [0, *series_ids[batch::batch]]
    ends = [start - 1 for start in starts[1:]]
    return list(zip(starts, [*ends, _LAST_ID], strict=True))


async def compact(
    store: Store,
    now_ms: int,
    *,
    block_ms: int = BLOCK_MS,
    grace_ms: int = GRACE_MS,
    batch: int = BATCH,
) -> CompactionReport:
    """Move every finished block of head samples into chunks."""
    report = CompactionReport()
    cutoff = ((now_ms - grace_ms) // block_ms) * block_ms
    async with store.tx() as tx:
        ranges = series_ranges(await tx.chunks.series_ids(), batch)
    block = await _next_block(store, -_LAST_ID, cutoff, block_ms)
    while block is not None:
        for series_range in ranges:
            await _compact_step(store, block, block_ms, series_range, report)
        block = await _next_block(store, block + block_ms, cutoff, block_ms)
    return report


async def _next_block(store: Store, from_ms: int, cutoff: int, block_ms: int) -> int | None:
    async with store.tx() as tx:
        return await tx.chunks.next_head_block(from_ms, cutoff, block_ms)


async def _compact_step(
    store: Store,
    block: int,
    block_ms: int,
    series_range: tuple[int, int],
    report: CompactionReport,
) -> None:
    """One transaction: a block of a range of series from the head into chunks and rollups."""
    async with store.tx() as tx:
        head = await tx.chunks.take_head(series_range, block, block + block_ms)
        if not head:
            return
        existing = await tx.chunks.in_block(list(head), block)
        chunks, rolled = compact_block(block, head, existing)
        await tx.rollups.replace(list(head), block, TIERS, rolled)
        await tx.chunks.put(chunks)
    report.chunks += len(chunks)
    report.samples += sum(len(times) for times, _ in head.values())
    report.bytes += sum(len(chunk.data) for chunk in chunks)
