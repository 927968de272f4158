"""Shared parts of the storage benchmarks (tests/bench/storage.py): the report table, the
generated and recorded data, and the hub and naive stores."""

from __future__ import annotations

import csv
import gzip
import itertools
import json
import os
import random
import sqlite3
import statistics
import sys
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import asynccontextmanager, closing
from datetime import UTC, datetime
from pathlib import Path

from hub.domain.samples import Sample
from hub.store import open_store, upgrade
from hub.tsdb import TSDB
from hub.tsdb.db import series_key

Batch = list[Sample]
Series = tuple[str, dict[str, str]]

T0_MS = 1_795_716_000_000  # 2026-11-26 12:00 UTC, aligned to a 2 h block
STEP_MS = 10_000
DAY_STEPS = 86_400_000 // STEP_MS
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
NAIVE_SCHEMA = "CREATE TABLE naive(series TEXT, ts INTEGER, value REAL)"
NAIVE_INSERT = "INSERT INTO naive VALUES (?, ?, ?)"
NAIVE_RANGE = "SELECT ts, value FROM naive WHERE series = ? AND ts BETWEEN ? AND ? ORDER BY ts"


# ---------------------------------------------------------------------------- report


class Table:
    """Rows of figures (hub beside naive, with budget and verdict) and notes, printed last."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, ...]] = []
        self.notes: list[str] = []

    def add(self, what: str, hub: str, naive: str = "", budget: str = "", ok: bool | None = None):
        verdict = "" if ok is None else ("ok" if ok else "MISS")
        self.rows.append((what, hub, naive, budget, verdict))

    def note(self, text: str) -> None:
        self.notes.append(text)

    def print(self) -> None:
        header = ("figure", "hub", "naive", "budget", "")
        rows = [header, *self.rows]
        widths = [max(len(r[i]) for r in rows) for i in range(5)]
        for row in rows:
            cells = [row[0].ljust(widths[0]), row[1].rjust(widths[1]), row[2].rjust(widths[2])]
            print("  ".join([*cells, row[3].ljust(widths[3]), row[4]]).rstrip())
        for text in self.notes:
            print(f"  * {text}")


def progress(text: str) -> None:
    print(f"[storage] {text}", file=sys.stderr, flush=True)


def num(value: float, digits: int = 2) -> str:
    return f"{value:,.{digits}f}"


# ---------------------------------------------------------------------------- data


def at(ms: float) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def make_series(name: str, count: int) -> list[Series]:
    return [(name, {"host": "bench", "n": str(i)}) for i in range(count)]


def walk_batches(
    series: list[Series],
    start_ms: int,
    steps: int,
    decimals: list[int | None],
    seed: int,
) -> Iterator[Batch]:
    """One batch per 10 s step across ``series``: value += gauss(0, 1), rounded to the series'
    ``decimals`` (None keeps full float64 precision)."""
    rng = random.Random(seed)
    values = [rng.uniform(0, 100) for _ in series]
    for step in range(steps):
        when = (start_ms + step * STEP_MS) / 1000
        batch = []
        for i, (name, labels) in enumerate(series):
            values[i] += rng.gauss(0, 1)
            value = values[i] if decimals[i] is None else round(values[i], decimals[i])
            batch.append(Sample(name, labels, value, when))
        yield batch


def rebatch(batches: Iterable[Batch], size: int) -> Iterator[Batch]:
    """The same samples in batches of about ``size`` (bulk loading)."""
    out: Batch = []
    for batch in batches:
        out.extend(batch)
        if len(out) >= size:
            yield out
            out = []
    if out:
        yield out


def read_recording(path: Path) -> tuple[list[Batch], bool] | None:
    """One batch per collection of a ``tests/bench/record.py`` file and whether it was cut off;
    None if there is no such file.

    A recording still being written ends in a truncated gzip stream (EOFError): reading stops
    there and the last collection, which may be incomplete, is dropped.
    """
    if not path.is_file():
        return None
    lines: list[str] = []
    truncated = False
    try:
        with gzip.open(path, "rt", newline="") as handle:
            for line in handle:
                lines.append(line)
    except EOFError:
        truncated = True
    complete = [line for line in lines[1:] if line.endswith("\n")]
    groups: dict[int, Batch] = defaultdict(list)
    labels_seen: dict[str, dict[str, str]] = {}
    for time_ms, name, labels, value in csv.reader(complete):
        labels_of = labels_seen.setdefault(labels, json.loads(labels))
        groups[int(time_ms)].append(
            Sample(name, labels_of, float.fromhex(value), int(time_ms) / 1000)
        )
    batches = [groups[ms] for ms in sorted(groups)]
    return (batches[:-1] if truncated else batches), truncated


def describe_recording(batches: list[Batch]) -> str:
    times = [b[0].time for b in batches]
    interval = statistics.median(b - a for a, b in itertools.pairwise(times))
    series = {series_key(s.name, s.labels) for b in batches for s in b}
    minutes = (times[-1] - times[0]) / 60
    return (
        f"{len(series)} series, real timestamps at a {interval:.3f} s median interval, "
        f"{minutes:.1f} min long ({len(batches)} collections)"
    )


# ---------------------------------------------------------------------------- stores


@asynccontextmanager
async def hub_db(path: Path) -> AsyncIterator[TSDB]:
    """A TSDB on a freshly migrated SQLite file; the store is closed afterwards."""
    url = f"sqlite+aiosqlite:///{path}"
    upgrade(url)
    store = open_store(url)
    try:
        yield TSDB(store)
    finally:
        await store.close()


def naive_db(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(NAIVE_SCHEMA)
    return conn


def naive_write(conn: sqlite3.Connection, batch: Batch) -> None:
    """One transaction: the series key, ms and value of every sample."""
    rows = [(series_key(s.name, s.labels), round(s.time * 1000), s.value) for s in batch]
    with conn:
        conn.executemany(NAIVE_INSERT, rows)


def settled_size(path: Path) -> int:
    """File size after a WAL checkpoint and VACUUM: what the data needs, no free pages."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("VACUUM")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    wal = path.with_name(path.name + "-wal")
    return path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


def chunk_totals(path: Path) -> tuple[int, int, int]:
    """Samples in chunks, bytes of chunk data, rows left in the head."""
    with closing(sqlite3.connect(path)) as conn:
        count, size = conn.execute(
            "SELECT coalesce(sum(count), 0), coalesce(sum(length(data)), 0) FROM chunks"
        ).fetchone()
        (head,) = conn.execute("SELECT count(*) FROM samples").fetchone()
    return count, size, head


def table_bytes(path: Path) -> dict[str, int]:
    """Bytes of the pages of each table and index (empty if SQLite lacks ``dbstat``)."""
    with closing(sqlite3.connect(path)) as conn:
        try:
            return dict(conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"))
        except sqlite3.OperationalError:
            return {}


def chunk_costs_by_metric(path: Path) -> str:
    """Encoding cost per metric and value mode (D decimal, X xor), e.g. ``cpu_usage 0.61 D``."""
    with closing(sqlite3.connect(path)) as conn:
        rows = conn.execute(
            "SELECT s.name, CAST(substr(c.data, 2, 1) AS TEXT), sum(length(c.data)), "
            "sum(c.count) FROM chunks c JOIN series s ON s.id = c.series_id "
            "GROUP BY 1, 2 ORDER BY 1, 2"
        ).fetchall()
    return ", ".join(f"{name} {size / count:.2f} {mode}" for name, mode, size, count in rows)


def thread_cpu() -> dict[int, float]:
    """CPU seconds of each thread of this process."""
    out = {}
    for task in Path("/proc/self/task").iterdir():
        fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        out[int(task.name)] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return out
