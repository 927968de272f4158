"""Compaction: samples leave the head for compressed chunks, one series and block at a time.

Every step is one transaction that reads the head rows and any existing chunk of a block, writes
the merged chunk and deletes those head rows; a crash rolls the step back and the next run
redoes it, so compaction is idempotent and resumes by itself. A late sample for a block that was
already compacted lands in the head and is merged into the block's chunk by the next run.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import msgspec

from hub.store import Store
from hub.store.chunks import StoredChunk, StoredRollup
from hub.tsdb.codec import decode, encode
from hub.tsdb.rollup import TIERS, pack, rollups

BLOCK_MS = 2 * 3600 * 1000
"""Samples of one series in one aligned 2-hour block share a chunk (Prometheus' block size)."""
GRACE_MS = 10 * 60 * 1000
"""A block is compacted once it ended this long ago, leaving room for slightly late samples."""
BATCH = 500
"""(series, block) pairs per transaction: bounded memory and short write locks."""


class CompactionReport(msgspec.Struct):
    """What one compaction run did."""

    chunks: int = 0
    samples: int = 0
    bytes: int = 0


def merge(
    existing: bytes | None, rows: Iterable[tuple[int, float]]
) -> tuple[list[int], list[float]]:
    """Samples of a chunk plus head rows, by time; a chunk's sample wins over a repeat."""
    by_time: dict[int, float] = dict(rows)
    if existing is not None:
        times, values = decode(existing)
        by_time.update(zip(times, values, strict=True))
    ordered = sorted(by_time)
    return ordered, [by_time[ms] for ms in ordered]


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
    while True:
        async with store.tx() as tx:
            await tx.chunks.lock()
            pending = await tx.chunks.pending(cutoff, block_ms, batch)
            if not pending:
                return report
            by_block: dict[int, list[int]] = defaultdict(list)
            for series_id, block in pending:
                by_block[block].append(series_id)
            for block, series_ids in by_block.items():
                rows = await tx.chunks.head_rows(series_ids, block, block + block_ms)
                existing = await tx.chunks.in_block(series_ids, block)
                per_series: dict[int, list[tuple[int, float]]] = defaultdict(list)
                for series_id, ms, value in rows:
                    per_series[series_id].append((ms, value))
                chunks = []
                rolled: list[StoredRollup] = []
                for series_id, samples in per_series.items():
                    times, values = merge(existing.get(series_id), samples)
                    data = encode(times, values)
                    chunks.append(
                        StoredChunk(series_id, block, times[0], times[-1], len(times), data)
                    )
                    summary = rollups(times, values)
                    for tier in TIERS:
                        in_tier = [r for r in summary if r.resolution_s == tier]
                        if in_tier:
                            rolled.append(
                                StoredRollup(
                                    series_id,
                                    tier,
                                    block,
                                    in_tier[0].bucket_ms,
                                    in_tier[-1].bucket_ms,
                                    pack(in_tier),
                                )
                            )
                    report.samples += len(samples)
                    report.bytes += len(data)
                await tx.rollups.replace(list(per_series), block, rolled)
                await tx.chunks.put(chunks)
                await tx.chunks.delete_head(series_ids, block, block + block_ms)
                report.chunks += len(chunks)
