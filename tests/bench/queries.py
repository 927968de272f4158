"""Storage benchmark 4: range and bucket (chart) queries, hub beside a naive table."""

from __future__ import annotations

import asyncio
import inspect
import itertools
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import msgspec

from hub.tsdb import TSDB
from hub.tsdb.compact import GRACE_MS
from hub.tsdb.db import _unpack_cached, bucket_tier, series_key
from hub.tsdb.downsample import Buckets
from hub.tsdb.selector import parse_selector
from tests.bench.storage_common import (
    DAY_STEPS,
    NAIVE_RANGE,
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
    walk_batches,
)

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
    ("bk50", f"4  buckets 50 series x 24 h, a call each, {POINTS} pts (ms)", "<= 200 ms", 200.0, 5),
    ("one50", f"4  buckets 50 series x 24 h, one call, {POINTS} pts (ms)", "<= 200 ms", 200.0, 5),
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


async def median_ms(run: Callable[[], object], times: int) -> tuple[float, float]:
    """Median wall time and median CPU time (this process, all threads) of ``run()`` (awaited
    if it returns an awaitable), in ms, after one warm-up run."""
    laps, cpus = [], []
    for lap in range(times + 1):
        started, cpu = time.perf_counter(), time.process_time()
        result = run()
        if inspect.isawaitable(result):
            await result
        if lap:
            laps.append((time.perf_counter() - started) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
    return statistics.median(laps), statistics.median(cpus)


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

    every = parse_selector('{host="bench"}')  # all 50 series in one chart

    return {
        "raw30": lambda: tsdb.range("q_month", month, end),
        "raw24": lambda: tsdb.range("q_month", day, end),
        "raw50": raw_dashboard,
        "bk30": lambda: tsdb.buckets(selectors[0], month, end, POINTS),
        "bk50": bucket_dashboard,
        "one50": lambda: tsdb.buckets(every, day, end, POINTS),
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
        "one50": lambda: [buckets(key, 1) for key in keys],
    }


async def check_query_data(tsdb: TSDB) -> None:
    end, month = at(QUERY_END_MS), at(QUERY_END_MS - QUERY_DAYS * DAY_MS)
    (whole,) = await tsdb.range("q_month", month, end)
    ((_, _, buckets),) = await tsdb.buckets(parse_selector("q_month"), month, end, POINTS)
    if len(whole.times) != QUERY_DAYS * DAY_STEPS or len(buckets.avg) > POINTS:
        raise RuntimeError(f"30 d: {len(whole.times)} samples, {len(buckets.avg)} buckets")


Timed = dict[str, tuple[float, float]]
"""Median wall and CPU ms per query."""


async def hub_query_times(tmp: Path) -> tuple[Timed, float]:
    """Median wall and CPU ms per query, and the bulk-load rate in samples/s."""
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


async def naive_query_times(tmp: Path) -> Timed:
    conn = naive_db(tmp / "query-naive.db")
    for batch in query_batches():
        naive_write(conn, batch)
    conn.execute("CREATE INDEX naive_series_ts ON naive(series, ts)")
    runners = naive_queries(conn)
    found = {key: await median_ms(runners[key], runs) for key, *_, runs in QUERIES}
    conn.close()
    return found


# ------------------------------------- 4b the budget read literally: 50 series x 30 days

MONTH_SERIES = 50
MONTH_RUNS = 3
MONTH_ROWS = (  # key, figure, budget, limit
    ("all", "buckets {n} series x {d} d, one call, {p} pts (ms)", "<= 200 ms", 200.0),
    ("each", "buckets {n} series x {d} d, a call each, {p} pts (ms)", "<= 200 ms", 200.0),
)


class MonthFigures(msgspec.Struct):
    """The 50-series month: median wall and CPU ms per query shape, and how it was served."""

    series: int
    days: int
    samples: int
    load_s: float
    """Wall seconds to generate, write and compact every sample."""
    compact_s: float
    """Of which compaction (CPU seconds)."""
    times: Timed
    tier_s: int | None
    """The rollup tier the one-call query read (None: raw chunks)."""
    blobs_per_call: int
    """Rollup blobs the one-call query unpacked or found in the cache."""
    cache_hits_per_call: int


def month_end_ms(days: int) -> int:
    return T0_MS + days * DAY_MS


async def load_month(tsdb: TSDB, series_count: int, days: int) -> tuple[int, float]:
    """``series_count`` series for ``days`` days at 10 s (one decimal), written through the store
    API in batches of 10k samples and compacted after each day, as the hub's job would; returns
    the samples written and the CPU seconds compaction took."""
    series = make_series("q_fleet", series_count)
    steps = walk_batches(series, T0_MS, days * DAY_STEPS, [1] * series_count, seed=6)
    written, compact_cpu = 0, 0.0
    for day in range(days):
        for batch in rebatch(itertools.islice(steps, DAY_STEPS), 10_000):
            await tsdb.write(batch)
            written += len(batch)
        cpu = time.process_time()
        await tsdb.compact(at(T0_MS + (day + 1) * DAY_MS + GRACE_MS))
        compact_cpu += time.process_time() - cpu
        progress(f"4b: day {day + 1}/{days} loaded and compacted ({written:,} samples)")
    return written, compact_cpu


async def month_times(
    tmp: Path, series_count: int = MONTH_SERIES, days: int = QUERY_DAYS
) -> MonthFigures:
    """Load ``series_count`` series x ``days`` days, then time one bucket query selecting all
    of them over the whole span at POINTS points, and one call per series."""
    end_ms = month_end_ms(days)
    start, end = at(end_ms - days * DAY_MS), at(end_ms)
    every = parse_selector('q_fleet{host="bench"}')
    each = [parse_selector(f'q_fleet{{n="{i}"}}') for i in range(series_count)]

    async def one_call() -> list[tuple[str, dict[str, str], Buckets]]:
        return await tsdb.buckets(every, start, end, POINTS)

    async def call_each() -> None:
        for selector in each:
            await tsdb.buckets(selector, start, end, POINTS)

    async with hub_db(tmp / "query-month-hub.db") as tsdb:
        started = time.perf_counter()
        samples, compact_cpu = await load_month(tsdb, series_count, days)
        load_s = time.perf_counter() - started
        found = await one_call()
        if len(found) != series_count or any(len(b.avg) > POINTS for *_, b in found):
            raise RuntimeError(f"{len(found)} series of {series_count} in the month query")
        before = _unpack_cached.cache_info()
        await one_call()
        after = _unpack_cached.cache_info()
        times = {
            "all": await median_ms(one_call, MONTH_RUNS),
            "each": await median_ms(call_each, MONTH_RUNS),
        }
    tier, _ = bucket_tier(start.timestamp(), end.timestamp(), POINTS)
    return MonthFigures(
        series=series_count,
        days=days,
        samples=samples,
        load_s=load_s,
        compact_s=compact_cpu,
        times=times,
        tier_s=tier,
        blobs_per_call=(after.hits + after.misses) - (before.hits + before.misses),
        cache_hits_per_call=after.hits - before.hits,
    )


def add_month_rows(table: Table, month: MonthFigures) -> None:
    for key, what, budget, limit in MONTH_ROWS:
        wall, cpu = month.times[key]
        label = what.format(n=month.series, d=month.days, p=POINTS)
        cell = f"{num(wall, 1)} ({num(cpu, 1)})"
        table.add(f"4  {label}", cell, "not run", budget, wall <= limit)
    tier = "raw chunks" if month.tier_s is None else f"the {month.tier_s} s rollup tier"
    table.note(
        f"4 {month.series} x {month.days} d: {month.samples:,} samples at 10 s written through "
        f"TSDB.write in batches of 10k and compacted after each day ({month.load_s:.0f} s wall "
        f"in all, compaction {month.compact_s:.0f} s CPU); medians of {MONTH_RUNS} runs after "
        f"one warm-up. The one call reads {tier}: {month.blobs_per_call:,} rollup blobs, "
        f"{month.cache_hits_per_call:,} of them from the rollup cache. Naive not run for these "
        f"rows ({month.samples:,} rows to load and index: minutes)"
    )


async def bench_queries(table: Table, tmp: Path, month_series: int = MONTH_SERIES) -> None:
    progress("4: loading 30 days x 1 series + 24 h x 49 series, then range and bucket queries")
    hub, load_rate = await hub_query_times(tmp)
    naive = await naive_query_times(tmp)
    for key, what, budget, limit, _ in QUERIES:
        (wall, cpu), (naive_wall, naive_cpu) = hub[key], naive[key]
        ok = None if limit is None else wall <= limit
        hub_cell, naive_cell = (
            f"{num(wall, 1)} ({num(cpu, 1)})",
            f"{num(naive_wall, 1)} ({num(naive_cpu, 1)})",
        )
        table.add(what, hub_cell, naive_cell, budget, ok)
    table.note(
        f"4 wall ms (CPU ms of the process, all threads, in brackets): medians of "
        f"{'/'.join(str(q[4]) for q in QUERIES)} runs after one warm-up, all blocks compacted "
        "(head empty); range = raw TSDB.range, buckets = TSDB.buckets (min/avg/max, rollup "
        "tier picked by bucket width); 'one call' selects the 50 series with {host=\"bench\"}, "
        f"'a call each' selects each by name; bulk load {load_rate:,.0f} samples/s. "
        "Naive: the same table plus an index on (series, ts); "
        "raw rows into two lists, buckets by GROUP BY, one query per series"
    )
    if month_series:
        progress(f"4b: loading {month_series} series x {QUERY_DAYS} d, then bucket queries")
        add_month_rows(table, await month_times(tmp, month_series))


def run_queries(month_series: int = MONTH_SERIES) -> None:
    """Only the query benchmarks: ``python -m tests.bench queries [--month-series N]`` (0 skips
    the month of N series, which loads N x 259,200 samples)."""
    table = Table()
    with tempfile.TemporaryDirectory(prefix="tcf-bench-queries-") as tmp:
        asyncio.run(bench_queries(table, Path(tmp), month_series))
    print("queries (tcf-hub tsdb vs a naive SQLite table, same run):")
    table.print()
