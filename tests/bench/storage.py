"""Storage benchmarks (issue 3): the hub's TSDB on disk, in bytes written, in ingest rate, in
query latency and in compaction CPU — each figure measured in the same run beside a naive SQLite
table ``naive(series TEXT, ts INTEGER, value REAL)`` with one row per sample.

    python -m tests.bench storage [--recording tests/fixtures/host-recording.csv.gz]

Samples carry explicit timestamps (simulated time, no sleeping); the hub side always goes
through ``TSDB.write`` / ``TSDB.compact`` / ``TSDB.range`` on a migrated SQLite file. The naive
side uses the ``sqlite3`` module directly with the hub's pragmas (WAL, ``synchronous=NORMAL``)
and the 16-hex series key as ``series``. Progress goes to stderr, the table to stdout.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from tests.bench.compaction import bench_compaction
from tests.bench.queries import bench_queries
from tests.bench.storage_common import (
    Table,
)
from tests.bench.storage_disk import bench_disk
from tests.bench.storage_writes import bench_ingest, bench_writes

# ---------------------------------------------------------------------------- entry


async def run_all(recording: Path) -> Table:
    table = Table()
    with tempfile.TemporaryDirectory(prefix="tcf-bench-storage-") as tmp:
        await bench_disk(table, Path(tmp), recording)
        for bench in (bench_writes, bench_ingest, bench_queries, bench_compaction):
            await bench(table, Path(tmp))
    return table


def run_storage(recording: str | Path) -> None:
    """Run every storage benchmark and print the table."""
    started = time.monotonic()
    table = asyncio.run(run_all(Path(recording)))
    took = time.monotonic() - started
    print(f"storage (tcf-hub tsdb vs a naive SQLite table, same run, {took:.0f} s):")
    table.print()
