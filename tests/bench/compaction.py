"""Storage benchmark 5: CPU to compact one hour of 2000 series."""

from __future__ import annotations

import asyncio
import sqlite3
import tempfile
import time
from contextlib import closing
from pathlib import Path

from hub.tsdb.codec import decode, encode
from hub.tsdb.compact import BLOCK_MS, GRACE_MS
from tests.bench.storage_common import (
    T0_MS,
    Table,
    at,
    hub_db,
    make_series,
    num,
    progress,
    walk_batches,
)

# ---------------------------------------------------------------------------- 5 compaction

COMPACT_SERIES = 2000


async def bench_compaction(table: Table, tmp: Path) -> None:
    progress(f"5: 1 h of {COMPACT_SERIES} series in the head, then compact")
    series = make_series("compacted", COMPACT_SERIES)
    decimals: list[int | None] = [1 if i % 2 else None for i in range(COMPACT_SERIES)]
    path = tmp / "compact-hub.db"
    async with hub_db(path) as tsdb:
        for batch in walk_batches(series, T0_MS, 360, decimals, seed=5):
            await tsdb.write(batch)
        cpu, wall = time.process_time(), time.perf_counter()
        report = await tsdb.compact(at(T0_MS + BLOCK_MS + GRACE_MS))
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    encode_cpu = encode_only_cpu(path)
    table.add(
        f"5  compaction CPU, {report.samples:,} samples (s)",
        num(cpu),
        "n/a",
        "<= 2 s",
        cpu <= 2.0,
    )
    table.add("   of which codec.encode alone (same chunks)", num(encode_cpu), "-")
    table.note(
        f"5 {COMPACT_SERIES} series x 360 samples (1 h at 10 s) in the head, half with one "
        f"decimal, half full float64; {report.chunks} chunks, {report.bytes / report.samples:.2f} "
        f"B/sample; wall {wall:.2f} s; CPU = time.process_time (all threads). Naive: nothing to do"
    )


def encode_only_cpu(path: Path) -> float:
    """CPU seconds to encode the chunks of ``path`` again, without any SQL."""
    with closing(sqlite3.connect(path)) as conn:
        columns = [decode(data) for (data,) in conn.execute("SELECT data FROM chunks")]
    started = time.process_time()
    for times, values in columns:
        encode(times, values)
    return time.process_time() - started


def run_compaction() -> None:
    """Only the compaction benchmark: ``python -m tests.bench compaction``."""
    table = Table()
    with tempfile.TemporaryDirectory(prefix="tcf-bench-compaction-") as tmp:
        asyncio.run(bench_compaction(table, Path(tmp)))
    print("compaction:")
    table.print()
