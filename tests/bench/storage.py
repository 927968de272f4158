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
import cProfile
import csv
import gzip
import inspect
import itertools
import json
import os
import pstats
import random
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from contextlib import asynccontextmanager, closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from hub.domain.samples import Sample
from hub.store import open_store, upgrade
from hub.tsdb import TSDB
from hub.tsdb.codec import decode, encode
from hub.tsdb.compact import BLOCK_MS, GRACE_MS
from hub.tsdb.db import series_key
from hub.tsdb.selector import parse_selector

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


# ---------------------------------------------------------------------------- 2 writes

IO_FIELDS = ("write_bytes", "wchar", "cancelled_write_bytes")


def io_counters() -> dict[str, int]:
    text = Path("/proc/self/io").read_text()
    return {k: int(v) for k, v in (line.split(": ") for line in text.splitlines())}


class IoMeter:
    """``/proc/self/io`` deltas: the whole run (after os.sync) and per phase.

    ``write_bytes`` is charged to the process when it dirties a page cache page, so phase
    deltas need no sync; a page dirtied again before write-back is charged once.
    """

    def __init__(self) -> None:
        self.phases: dict[str, Counter[str]] = defaultdict(Counter)
        self.total: Counter[str] = Counter()
        self._start: dict[str, int] = {}

    def start(self) -> None:
        os.sync()
        self._start = io_counters()

    def stop(self) -> None:
        os.sync()
        end = io_counters()
        self.total = Counter({k: end[k] - self._start[k] for k in IO_FIELDS})

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        before = io_counters()
        try:
            yield
        finally:
            after = io_counters()
            self.phases[name].update({k: after[k] - before[k] for k in IO_FIELDS})


def file_system(path: Path) -> str:
    """``type on device`` of the mount holding ``path``, from /proc/mounts."""
    mounts = [line.split()[:3] for line in Path("/proc/mounts").read_text().splitlines()]
    resolved = str(path.resolve())
    device, _, kind = max(
        (m for m in mounts if resolved == m[1] or resolved.startswith(m[1].rstrip("/") + "/")),
        key=lambda m: len(m[1]),
    )
    return f"{kind} on {device}"


WRITE_SERIES, WRITE_HOURS = 500, 4
COMPACT_EVERY_STEPS = 60  # 10 simulated minutes


def write_batches() -> Iterator[Batch]:
    series = make_series("written", WRITE_SERIES)
    steps = WRITE_HOURS * 360
    return walk_batches(series, T0_MS, steps, [None] * WRITE_SERIES, seed=2)


async def hub_writes(tmp: Path) -> tuple[IoMeter, int]:
    meter, samples = IoMeter(), 0
    async with hub_db(tmp / "writes-hub.db") as tsdb:
        meter.start()
        for step, batch in enumerate(write_batches(), start=1):
            with meter.phase("head"):
                await tsdb.write(batch)
            samples += len(batch)
            if step % COMPACT_EVERY_STEPS == 0:
                with meter.phase("compaction"):
                    await tsdb.compact(at(batch[0].time * 1000))
        with meter.phase("compaction"):  # the last blocks, as the job will once they end
            await tsdb.compact(at(T0_MS + WRITE_HOURS * 3_600_000 + BLOCK_MS + GRACE_MS))
        meter.stop()
    return meter, samples


def naive_writes(tmp: Path) -> IoMeter:
    meter = IoMeter()
    conn = naive_db(tmp / "writes-naive.db")
    meter.start()
    for batch in write_batches():
        naive_write(conn, batch)
    meter.stop()
    conn.close()
    return meter


async def bench_writes(table: Table, tmp: Path) -> None:
    progress(f"2: {WRITE_SERIES} series x {WRITE_HOURS} simulated hours, bytes written")
    hub, samples = await hub_writes(tmp)
    naive = naive_writes(tmp)
    counter = "write_bytes" if hub.total["write_bytes"] and naive.total["write_bytes"] else "wchar"
    if counter == "wchar":
        table.note("2 write_bytes is 0 here (file system does not report it): using wchar")
    table.add(
        f"2  bytes written per sample ingested ({counter})",
        num(hub.total[counter] / samples, 1),
        num(naive.total[counter] / samples, 1),
        "<= 200 B/sample",
        hub.total[counter] / samples <= 200,
    )
    for phase in ("head", "compaction"):
        table.add(f"   of which {phase}", num(hub.phases[phase][counter] / samples, 1), "-")
    table.add(
        "   wchar (bytes handed to write())",
        num(hub.total["wchar"] / samples, 1),
        num(naive.total["wchar"] / samples, 1),
    )
    table.note(
        f"2 {samples:,} samples in {tmp} ({file_system(tmp)}): one batch of {WRITE_SERIES} "
        f"every 10 simulated s for {WRITE_HOURS} h (2 h blocks: a shorter run would compact "
        "nothing), compact(now) every 10 simulated min plus once after the last block ended; "
        "naive: one INSERT transaction per batch. write_bytes counts page-cache pages dirtied "
        "(bound for the block layer); compressed time lets the kernel merge rewrites of a page "
        "between SQLite's checkpoint fsyncs, so real time may write somewhat more"
    )


# ---------------------------------------------------------------------------- 3 ingest

INGEST_SERIES, INGEST_BATCH, INGEST_CALLS, PROFILE_CALLS = 1000, 10_000, 30, 10


def ingest_batches(first_step: int, calls: int) -> list[Batch]:
    series = make_series("ingest", INGEST_SERIES)
    steps = INGEST_BATCH // INGEST_SERIES
    start = T0_MS + first_step * steps * STEP_MS
    walk = walk_batches(series, start, calls * steps, [None] * INGEST_SERIES, seed=first_step)
    return list(rebatch(walk, INGEST_BATCH))


def thread_cpu() -> dict[int, float]:
    """CPU seconds of each thread of this process."""
    out = {}
    for task in Path("/proc/self/task").iterdir():
        fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        out[int(task.name)] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return out


async def timed_writes(write: Callable[[Batch], Awaitable[None]], batches: list[Batch]):
    """Samples per second, and CPU seconds of this thread and of all other threads."""
    cpu_before, started = thread_cpu(), time.perf_counter()
    for batch in batches:
        await write(batch)
    elapsed, cpu_after = time.perf_counter() - started, thread_cpu()
    main = threading.get_native_id()
    spent = {tid: cpu - cpu_before.get(tid, 0.0) for tid, cpu in cpu_after.items()}
    others = sum(cpu for tid, cpu in spent.items() if tid != main)
    return sum(map(len, batches)) / elapsed, spent[main], others


async def bench_ingest(table: Table, tmp: Path) -> None:
    progress(f"3: ingest, {INGEST_CALLS} calls of {INGEST_BATCH:,} samples")
    async with hub_db(tmp / "ingest-hub.db") as tsdb:
        await tsdb.write(ingest_batches(0, 1)[0])  # creates the series
        rate, main_cpu, worker_cpu = await timed_writes(tsdb.write, ingest_batches(1, INGEST_CALLS))
        profiled = ingest_batches(1 + INGEST_CALLS, PROFILE_CALLS)
        profiler = cProfile.Profile()
        profiler.enable()
        for batch in profiled:
            await tsdb.write(batch)
        profiler.disable()
    conn = naive_db(tmp / "ingest-naive.db")

    async def naive(batch: Batch) -> None:
        naive_write(conn, batch)

    naive_write(conn, ingest_batches(0, 1)[0])
    naive_rate, _, _ = await timed_writes(naive, ingest_batches(1, INGEST_CALLS))
    conn.close()
    table.add(
        f"3  ingest, {INGEST_BATCH:,} samples/call (samples/s)",
        num(rate, 0),
        num(naive_rate, 0),
        ">= 200,000 samples/s",
        rate >= 200_000,
    )
    table.note(
        f"3 {INGEST_CALLS} timed calls x {INGEST_BATCH:,} samples over {INGEST_SERIES} series; "
        f"CPU during them: event-loop thread {main_cpu:.2f} s, other threads (aiosqlite's "
        f"SQLite worker) {worker_cpu:.2f} s; naive = sqlite3 executemany, one tx per call"
    )
    table.note(f"3 profile: {profile_summary(profiler)}")


WAIT = "waiting on the aiosqlite thread (SQLite)"
AREAS = (
    ("/sqlalchemy/", "SQLAlchemy"),
    ("/hub/", "hub code (series_key/sha256, float_bits, row dicts)"),
    ("/aiosqlite/", "asyncio/aiosqlite hand-off"),
    ("/asyncio/", "asyncio/aiosqlite hand-off"),
    ("/threading.py", "asyncio/aiosqlite hand-off"),
    ("/selectors.py", "asyncio/aiosqlite hand-off"),
)


def area(filename: str) -> str:
    return next((name for part, name in AREAS if part in filename), "other")


def profile_summary(profiler: cProfile.Profile) -> str:
    """Own time of the event-loop thread by area (C functions counted with their caller),
    and the three functions with the most own time."""
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    split: Counter[str] = Counter()
    for (filename, _, func), (_, _, tottime, _, callers) in stats.items():
        if filename == "~" and "epoll" in func:
            split[WAIT] += tottime
        elif filename == "~":
            for (caller_file, _, _), caller in callers.items():
                split[area(caller_file) if caller_file != "~" else "other"] += caller[2]
        else:
            split[area(filename)] += tottime
    total = sum(split.values())
    parts = ", ".join(f"{share / total:.0%} {name}" for name, share in split.most_common())
    own = sorted(
        (
            (s[2], func if f == "~" else f"{Path(f).name}:{func}")
            for (f, _, func), s in stats.items()
            if "epoll" not in func
        ),
        reverse=True,
    )
    named = ", ".join(f"{name} {tottime / total:.0%}" for tottime, name in own[:3])
    return f"{parts}; most own time besides waiting: {named} (cProfile, {PROFILE_CALLS} calls)"


# ---------------------------------------------------------------------------- 4 queries

QUERY_DAYS, QUERY_OTHERS, POINTS = 30, 49, 1000
DAY_MS = 86_400_000
QUERY_END_MS = T0_MS + QUERY_DAYS * DAY_MS
QUERY_NAMES = ["q_month"] + [f"q_day_{i}" for i in range(QUERY_OTHERS)]
RAW = "none for raw (see buckets)"
QUERIES = (  # key, figure, budget, limit (None: the budget is for another shape), runs
    ("raw30", f"4  range 1 series x 30 d, {QUERY_DAYS * DAY_STEPS:,} pts (ms)", RAW, None, 5),
    ("raw24", f"4  range 1 series x 24 h, {DAY_STEPS:,} pts (ms)", "<= 5 ms", 5.0, 15),
    ("raw50", "4  range 50 series x 24 h, a call each (ms)", RAW, None, 5),
    ("bk30", f"4  buckets 1 series x 30 d, {POINTS} pts (ms)", "<= 30 ms", 30.0, 9),
    ("bk50", f"4  buckets 50 series x 24 h, {POINTS} pts each (ms)", "<= 200 ms", 200.0, 5),
)
NAIVE_BUCKETS = (
    "SELECT (ts - ?) / ? AS b, min(value), avg(value), max(value) FROM naive "
    "WHERE series = ? AND ts BETWEEN ? AND ? GROUP BY b ORDER BY b"
)


def query_batches() -> Iterator[Batch]:
    """One series for 30 days, then it and 49 more for the last 24 h (values with one decimal,
    like psutil percentages), in bulk batches of 10k samples."""
    month = [("q_month", {"host": "bench"})]
    day = month + [(name, {"host": "bench"}) for name in QUERY_NAMES[1:]]
    first_days = (QUERY_DAYS - 1) * DAY_STEPS
    yield from rebatch(walk_batches(month, T0_MS, first_days, [1], seed=3), 10_000)
    last_day = walk_batches(day, QUERY_END_MS - DAY_MS, DAY_STEPS, [1] * len(day), seed=4)
    yield from rebatch(last_day, 10_000)


async def median_ms(run: Callable[[], object], times: int) -> float:
    """Median wall time of ``run()`` (awaited if it returns an awaitable)."""
    laps = []
    for _ in range(times):
        started = time.perf_counter()
        result = run()
        if inspect.isawaitable(result):
            await result
        laps.append((time.perf_counter() - started) * 1000)
    return statistics.median(laps)


def hub_queries(tsdb: TSDB) -> dict[str, Callable[[], Awaitable[object]]]:
    end, day = at(QUERY_END_MS), at(QUERY_END_MS - DAY_MS)
    month = at(QUERY_END_MS - QUERY_DAYS * DAY_MS)
    selectors = [parse_selector(name) for name in QUERY_NAMES]

    async def raw_dashboard() -> None:
        for name in QUERY_NAMES:
            await tsdb.range(name, day, end)

    async def bucket_dashboard() -> None:
        for selector in selectors:
            await tsdb.buckets(selector, day, end, POINTS)

    return {
        "raw30": lambda: tsdb.range("q_month", month, end),
        "raw24": lambda: tsdb.range("q_month", day, end),
        "raw50": raw_dashboard,
        "bk30": lambda: tsdb.buckets(selectors[0], month, end, POINTS),
        "bk50": bucket_dashboard,
    }


def naive_queries(conn: sqlite3.Connection) -> dict[str, Callable[[], object]]:
    keys = [series_key(name, {"host": "bench"}) for name in QUERY_NAMES]

    def raw(key: str, days: int) -> tuple[list[float], list[float]]:
        rows = conn.execute(NAIVE_RANGE, (key, QUERY_END_MS - days * DAY_MS, QUERY_END_MS))
        times, values = [], []
        for ms, value in rows:
            times.append(ms / 1000)
            values.append(value)
        return times, values

    def buckets(key: str, days: int) -> list[tuple[int, float, float, float]]:
        start, step = QUERY_END_MS - days * DAY_MS, days * DAY_MS // POINTS
        return conn.execute(NAIVE_BUCKETS, (start, step, key, start, QUERY_END_MS)).fetchall()

    return {
        "raw30": lambda: raw(keys[0], QUERY_DAYS),
        "raw24": lambda: raw(keys[0], 1),
        "raw50": lambda: [raw(key, 1) for key in keys],
        "bk30": lambda: buckets(keys[0], QUERY_DAYS),
        "bk50": lambda: [buckets(key, 1) for key in keys],
    }


async def check_query_data(tsdb: TSDB) -> None:
    end, month = at(QUERY_END_MS), at(QUERY_END_MS - QUERY_DAYS * DAY_MS)
    (whole,) = await tsdb.range("q_month", month, end)
    ((_, _, buckets),) = await tsdb.buckets(parse_selector("q_month"), month, end, POINTS)
    if len(whole.times) != QUERY_DAYS * DAY_STEPS or len(buckets.avg) > POINTS:
        raise RuntimeError(f"30 d: {len(whole.times)} samples, {len(buckets.avg)} buckets")


async def hub_query_times(tmp: Path) -> tuple[dict[str, float], float]:
    """Median ms per query, and the bulk-load rate in samples/s."""
    async with hub_db(tmp / "query-hub.db") as tsdb:
        loaded, started = 0, time.perf_counter()
        for batch in query_batches():
            await tsdb.write(batch)
            loaded += len(batch)
        rate = loaded / (time.perf_counter() - started)
        await tsdb.compact(at(QUERY_END_MS + GRACE_MS))
        await check_query_data(tsdb)
        runners = hub_queries(tsdb)
        return {key: await median_ms(runners[key], runs) for key, *_, runs in QUERIES}, rate


async def naive_query_times(tmp: Path) -> dict[str, float]:
    conn = naive_db(tmp / "query-naive.db")
    for batch in query_batches():
        naive_write(conn, batch)
    conn.execute("CREATE INDEX naive_series_ts ON naive(series, ts)")
    runners = naive_queries(conn)
    found = {key: await median_ms(runners[key], runs) for key, *_, runs in QUERIES}
    conn.close()
    return found


async def bench_queries(table: Table, tmp: Path) -> None:
    progress("4: loading 30 days x 1 series + 24 h x 49 series, then range and bucket queries")
    hub, load_rate = await hub_query_times(tmp)
    naive = await naive_query_times(tmp)
    for key, what, budget, limit, _ in QUERIES:
        ok = None if limit is None else hub[key] <= limit
        table.add(what, num(hub[key], 1), num(naive[key], 1), budget, ok)
    full = 50 * QUERY_DAYS * DAY_STEPS
    table.note(
        f"4 medians of {'/'.join(str(q[4]) for q in QUERIES)} runs, all blocks compacted (head "
        f"empty); range = raw TSDB.range, buckets = TSDB.buckets (min/avg/max, rollup tier "
        f"picked by bucket width). 50 x 30 d not run: it needs {full:,} samples, about "
        f"{full / load_rate / 60:.0f} min to load at this run's bulk-load rate "
        f"({load_rate:,.0f} samples/s); 50 x 24 h, one call per chart, instead. Naive: the same "
        "table plus an index on (series, ts); raw rows into two lists, buckets by GROUP BY"
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
