"""Storage benchmarks 2 and 3: bytes written to disk per sample ingested, and the ingest rate
through the store API."""

from __future__ import annotations

import cProfile
import os
import pstats
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from hub.tsdb.compact import BLOCK_MS, GRACE_MS
from tests.bench.storage_common import (
    STEP_MS,
    T0_MS,
    Batch,
    Table,
    at,
    hub_db,
    make_series,
    naive_db,
    naive_write,
    num,
    progress,
    rebatch,
    thread_cpu,
    walk_batches,
)

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
