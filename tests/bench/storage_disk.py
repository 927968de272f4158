"""Storage benchmark 1: bytes per sample on disk after compaction, hub beside a naive table."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hub.tsdb.compact import BLOCK_MS
from tests.bench.storage_common import (
    DAY_STEPS,
    T0_MS,
    Batch,
    Table,
    at,
    chunk_costs_by_metric,
    chunk_totals,
    describe_recording,
    hub_db,
    make_series,
    naive_db,
    naive_write,
    num,
    progress,
    read_recording,
    settled_size,
    table_bytes,
    walk_batches,
)

# ---------------------------------------------------------------------------- 1 disk


@dataclass
class DiskCost:
    """Bytes per sample of one data set."""

    hub: float
    encoding: float
    naive: float
    samples: int
    by_metric: str
    tables: dict[str, float]
    """Pages of each hub table (with its overflow pages) per sample, net of an empty file."""


async def disk_per_sample(batches: list[Batch], tmp: Path, tag: str) -> DiskCost:
    """Bytes per sample after compaction and VACUUM, hub and naive, net of an empty file."""
    samples = sum(len(b) for b in batches)
    hub_path, naive_path = tmp / f"{tag}-hub.db", tmp / f"{tag}-naive.db"
    async with hub_db(hub_path) as tsdb:
        for batch in batches:
            await tsdb.write(batch)
        await tsdb.compact(at(batches[-1][0].time * 1000 + 2 * BLOCK_MS))
    conn = naive_db(naive_path)
    for batch in batches:
        naive_write(conn, batch)
    conn.close()
    chunked, data, head = chunk_totals(hub_path)
    if chunked != samples or head:
        raise RuntimeError(f"{tag}: {chunked} of {samples} samples compacted, {head} in head")
    hub = settled_size(hub_path) - await empty_hub_size(tmp)
    empty, full = table_bytes(tmp / "empty-hub.db"), table_bytes(hub_path)
    return DiskCost(
        hub=hub / samples,
        encoding=data / samples,
        naive=(settled_size(naive_path) - empty_naive_size(tmp)) / samples,
        samples=samples,
        by_metric=chunk_costs_by_metric(hub_path),
        tables={name: (full[name] - empty.get(name, 0)) / samples for name in full},
    )


async def empty_hub_size(tmp: Path) -> int:
    path = tmp / "empty-hub.db"
    if not path.exists():
        async with hub_db(path):
            pass
    return settled_size(path)


def empty_naive_size(tmp: Path) -> int:
    path = tmp / "empty-naive.db"
    if not path.exists():
        naive_db(path).close()
    return settled_size(path)


async def bench_disk(table: Table, tmp: Path, recording: Path) -> None:
    recorded = read_recording(recording)
    if recorded is not None:
        progress(f"1a: replaying {recording}")
        batches, truncated = recorded
        found = await disk_per_sample(batches, tmp, "recorded")
        row_disk(table, "1a disk after compaction, recorded host", found, 2.0)
        cut = " (still being written: read up to the truncated gzip end)" if truncated else ""
        table.note(f"1a recording {recording}{cut}: {describe_recording(batches)}")
        table.note(f"1a encoding B/sample by metric and value mode: {found.by_metric}")
        table.note(
            f"1a file sizes move in 4 KB pages: one page = {4096 / found.samples:.2f} B/sample"
        )
    else:
        table.add("1a disk after compaction, recorded host", "skipped", budget="<= 2.0 B/sample")
        table.note(
            f"1a skipped: no recording at {recording} (make one: python -m tests.bench.record)"
        )
    progress("1b: random walk, 20 series x 24 h at 10 s")
    series = make_series("random_walk", 20)
    batches = list(walk_batches(series, T0_MS, DAY_STEPS, [None] * 20, seed=1))
    found = await disk_per_sample(batches, tmp, "walk")
    row_disk(table, "1b disk after compaction, random walk", found, 9.0)
    table.note(
        "1b random walk: 20 series, value += gauss(0, 1) every 10 s (exact), full float64, "
        f"24 h = {found.samples:,} samples"
    )
    table.note(
        "1 table pages from SQLite's dbstat after VACUUM; rollups are the 1 min and 1 h "
        "aggregates compaction writes beside the lossless chunks. Naive: no index"
    )


def row_disk(table: Table, what: str, found: DiskCost, budget: float) -> None:
    table.add(
        f"{what} (B/sample)",
        num(found.hub),
        num(found.naive),
        f"<= {budget} B/sample",
        found.hub <= budget,
    )
    table.add("   chunk data only (pure encoding)", num(found.encoding), "-")
    for name in ("chunks", "rollups"):
        if name in found.tables:
            table.add(f"   {name} table pages", num(found.tables[name]), "-")
    rest = sum(v for k, v in found.tables.items() if k not in ("chunks", "rollups"))
    if found.tables:
        table.add("   other tables and indexes", num(rest), "-")
