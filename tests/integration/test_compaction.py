"""Compaction on a real SQLite file: samples move into chunks and read back identical."""

from __future__ import annotations

import asyncio
import math
import sqlite3
import struct
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from hub.domain.config import RetentionConfig
from hub.domain.samples import Sample
from hub.lib.durations import Seconds
from hub.store import open_store, upgrade
from hub.tsdb import TSDB
from hub.tsdb.compact import BLOCK_MS

T0 = datetime(2026, 11, 26, tzinfo=UTC)  # aligned to a 2 h block
HOUR = 3600


def sample(name, value, seconds, **labels):
    when = (T0 + timedelta(seconds=seconds)).timestamp()
    return Sample(name, {"host": "h", **labels}, value, when)


async def open_tsdb(where: Path | str):
    url = where if isinstance(where, str) else f"sqlite+aiosqlite:///{where}"
    upgrade(url)
    store = open_store(url)
    return store, TSDB(store)


async def counts(store) -> tuple[int, int]:
    """Samples in the head and in chunks."""
    stats = await store.stats()
    return stats.head_samples, stats.chunk_samples


async def read_all(tsdb, name):
    return {
        tuple(sorted(s.labels.items())): (s.times, s.values)
        for s in await tsdb.range(name, T0 - timedelta(days=1), T0 + timedelta(days=2))
    }


async def test_finished_blocks_move_to_chunks_and_reads_do_not_change(store_url):
    store, tsdb = await open_tsdb(store_url)
    for i in range(0, 5 * HOUR, 10):  # 5 hours at 10 s: blocks 0-2 h, 2-4 h, 4-5 h
        await tsdb.write(
            [
                sample("cpu_usage", round(40 + 10 * math.sin(i / 600), 1), i),
                sample("disk_usage", 50.0, i, mount="/"),
            ]
        )
    before = await read_all(tsdb, "cpu_usage")
    report = await tsdb.compact(T0 + timedelta(hours=5))
    assert report.chunks == 4  # two series x two finished blocks; 4-5 h is still open
    assert report.samples == 2 * 2 * 720
    assert report.bytes / report.samples < 2.0
    assert await counts(store) == (2 * 360, 2 * 1440)
    assert await read_all(tsdb, "cpu_usage") == before
    again = await tsdb.compact(T0 + timedelta(hours=5))  # idempotent
    assert again.chunks == 0
    assert await read_all(tsdb, "cpu_usage") == before
    partial = await tsdb.range(
        "cpu_usage", T0 + timedelta(minutes=119), T0 + timedelta(minutes=121)
    )
    assert [round(x - T0.timestamp()) for x in partial[0].times] == list(range(7140, 7261, 10))
    await store.close()


async def test_a_late_sample_is_merged_into_its_existing_chunk(store_url):
    store, tsdb = await open_tsdb(store_url)
    await tsdb.write([sample("cpu_usage", 1.0, 0), sample("cpu_usage", 3.0, 20)])
    await tsdb.compact(T0 + timedelta(hours=3))
    await tsdb.write([sample("cpu_usage", 2.0, 10), sample("cpu_usage", 9.0, 20)])  # late; repeat
    await tsdb.compact(T0 + timedelta(hours=3))
    assert await counts(store) == (0, 3)
    (series,) = await tsdb.range("cpu_usage", T0, T0 + timedelta(hours=1))
    assert series.values == [1.0, 2.0, 3.0]  # the first value stored for a time wins
    await store.close()


async def test_prune_drops_chunks_that_are_entirely_too_old(store_url):
    store, tsdb = await open_tsdb(store_url)
    await tsdb.write([sample("cpu_usage", 1.0, 0), sample("cpu_usage", 2.0, 3 * HOUR)])
    await tsdb.compact(T0 + timedelta(hours=6))
    await tsdb.prune(T0 + timedelta(hours=2), RetentionConfig(raw=Seconds(3600)))
    (series,) = await tsdb.range("cpu_usage", T0, T0 + timedelta(hours=6))
    assert series.values == [2.0]
    await store.close()


async def test_compaction_in_small_batches_covers_every_series(store_url):
    from hub.tsdb.compact import compact

    store, tsdb = await open_tsdb(store_url)
    await tsdb.write([sample("network_io", float(n), 0, interface=f"eth{n}") for n in range(7)])
    report = await compact(store, int((T0 + timedelta(hours=3)).timestamp() * 1000), batch=2)
    assert (report.chunks, await counts(store)) == (7, (0, 7))
    await store.close()


async def test_series_on_different_schedules_read_back_in_time_order(store_url):
    # Timestamps shared by different sets of series (collectors at 10 s and 15 s, one series
    # written by both): the head is read one timestamp at a time and split into series.
    store, tsdb = await open_tsdb(store_url)
    for i in range(0, HOUR, 5):
        batch = [sample("cpu_usage", i / 10, i)] if i % 10 == 0 else []
        if i % 15 == 0:
            batch += [sample("response_time", -i / 3, i, service="web")]
        if i % 10 == 0 or i % 15 == 0:
            batch += [sample("shared", float(i), i)]
        await tsdb.write(batch)
    expected = {
        "cpu_usage": [i / 10 for i in range(0, HOUR, 10)],
        "response_time": [-i / 3 for i in range(0, HOUR, 15)],
        "shared": [float(i) for i in range(0, HOUR, 5) if i % 10 == 0 or i % 15 == 0],
    }
    for _ in ("head", "chunks"):
        for name, values in expected.items():
            (series,) = (await read_all(tsdb, name)).values()
            assert bits(series[1]) == bits(values)
            assert series[0] == sorted(series[0])
        await tsdb.compact(T0 + timedelta(hours=3))
    assert await counts(store) == (0, sum(map(len, expected.values())))
    await store.close()


async def test_migration_0010_keeps_the_head_and_drops_its_foreign_key(store_url):
    import sqlalchemy as sa

    from hub.store.migrate import sync_url

    upgrade(store_url, "0009")
    engine = sa.create_engine(sync_url(store_url))
    with engine.begin() as conn:
        conn.execute(
            sa.text("INSERT INTO series (id, name, labels, fingerprint) VALUES (7, 'm', '{}', 'f')")
        )
        conn.execute(sa.text("INSERT INTO samples VALUES (2000, 7, -7), (1000, 7, 42)"))
    upgrade(store_url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT * FROM samples ORDER BY time_ms")).all()
        foreign_keys = sa.inspect(conn).get_foreign_keys("samples")
        primary_key = sa.inspect(conn).get_pk_constraint("samples")["constrained_columns"]
        ddl = ""
        if conn.dialect.name == "sqlite":
            ddl = conn.execute(sa.text("SELECT sql FROM sqlite_master WHERE name = 'samples'"))
            ddl = ddl.scalar_one()
    engine.dispose()
    assert [tuple(row) for row in rows] == [(1000, 7, 42), (2000, 7, -7)]
    assert (foreign_keys, primary_key) == ([], ["time_ms", "series_id"])
    assert store_url.startswith("postgresql") or "WITHOUT ROWID" in ddl


def bits(values):
    return struct.pack(f"<{len(values)}d", *values)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 3 * BLOCK_MS // 1000), st.floats()),
        min_size=1,
        max_size=150,
        unique_by=lambda p: p[0],
    )
)
def test_random_samples_read_back_identical_after_compaction(points):
    async def scenario() -> None:
        with tempfile.TemporaryDirectory() as tmp:
            store, tsdb = await open_tsdb(Path(tmp) / "hub.db")
            await tsdb.write([sample("m", v, s) for s, v in points])
            await tsdb.compact(T0 + timedelta(days=1))
            (series,) = await tsdb.range("m", T0, T0 + timedelta(days=1))
            await store.close()
        expected = sorted(points)
        assert series.times == [(T0 + timedelta(seconds=s)).timestamp() for s, _ in expected]
        assert bits(series.values) == bits([v for _, v in expected])

    asyncio.run(scenario())


async def test_db_stats_reports_series_samples_and_bytes_per_sample(tmp_path):
    from click.testing import CliRunner

    from hub.cli import cli

    store, tsdb = await open_tsdb(tmp_path / "hub.db")
    for i in range(0, 3 * HOUR, 10):
        await tsdb.write([sample("cpu_usage", 12.5, i)])
    await tsdb.compact(T0 + timedelta(hours=3))
    await store.close()
    result = await asyncio.to_thread(
        CliRunner().invoke,
        cli,
        ["db", "stats", "--data-dir", str(tmp_path), "--config", str(tmp_path / "none")],
    )
    assert result.exit_code == 0, result.output
    assert "series" in result.output and " 1 " in result.output
    assert "1,080" in result.output  # samples
    assert "720 in 1 chunks" in result.output
    assert "compressed bytes per sample" in result.output
    missing = CliRunner().invoke(cli, ["db", "stats", "--data-dir", str(tmp_path / "empty")])
    assert missing.exit_code == 1
    assert "no store" in missing.output


async def test_long_ranges_read_rollup_tiers_and_the_head_together(store_url):
    from hub.tsdb.selector import parse_selector

    store, tsdb = await open_tsdb(store_url)
    raw = [(i, float(i % 97)) for i in range(0, 6 * HOUR, 10)]
    for i, v in raw:
        await tsdb.write([sample("cpu_usage", v, i)])
    await tsdb.compact(T0 + timedelta(hours=5))  # blocks 0-2 h and 2-4 h; 4-6 h stays raw
    end = T0 + timedelta(hours=6)
    for points in (6, 360):  # 1 h buckets (hour tier), 1 min buckets (minute tier)
        ((_, _, buckets),) = await tsdb.buckets(parse_selector("cpu_usage"), T0, end, points)
        step = 6 * HOUR / points
        assert buckets.step == step
        for index in range(points):
            inside = [v for i, v in raw if index * step <= i < (index + 1) * step]
            assert buckets.min[index] == min(inside)
            assert buckets.max[index] == max(inside)
            assert math.isclose(buckets.avg[index], sum(inside) / len(inside))
    # 8 points ask for 45-minute buckets: the hour tier serves them (at most 1.5 times wider),
    # as 6 hour-wide buckets, from 60 times fewer entries than the minute tier.
    ((_, _, hourly),) = await tsdb.buckets(parse_selector("cpu_usage"), T0, end, 8)
    assert hourly.step == HOUR
    assert [v is not None for v in hourly.max] == [True] * 6
    for index in range(6):
        inside = [v for i, v in raw if index * HOUR <= i < (index + 1) * HOUR]
        assert (hourly.min[index], hourly.max[index]) == (min(inside), max(inside))
    ((_, _, fine),) = await tsdb.buckets(
        parse_selector("cpu_usage"), T0, T0 + timedelta(minutes=10), 60
    )  # 10 s buckets: raw samples from the chunks
    assert fine.max[:3] == [0.0, 10.0, 20.0]
    await store.close()


async def fill(tsdb, hours: int, series: int = 20) -> None:
    """``hours`` of 10 s samples of noisy series, compacted."""
    import random

    rng = random.Random(1)
    for i in range(0, hours * HOUR, 10):
        await tsdb.write(
            [sample("network_io", rng.random() * 1e6, i, interface=f"e{n}") for n in range(series)]
        )
    await tsdb.compact(T0 + timedelta(hours=hours + 1))


async def test_each_tier_keeps_its_own_retention(store_url):
    from hub.tsdb.selector import parse_selector

    store, tsdb = await open_tsdb(store_url)
    await fill(tsdb, 6, series=2)
    now = T0 + timedelta(hours=6)
    report = await tsdb.prune(
        now,
        RetentionConfig(raw=Seconds(2 * HOUR), minute=Seconds(4 * HOUR), hour=Seconds(30 * 86400)),
    )
    assert report.chunks == 4  # raw blocks 0-2 h and 2-4 h end before now - 2 h
    assert report.rollups == 2  # the minute tier's block 0-2 h ends before now - 4 h
    selector = parse_selector('network_io{interface="e0"}')
    ((_, _, minutes),) = await tsdb.buckets(selector, T0, now, 360)  # 1-minute buckets
    first = next(i for i, v in enumerate(minutes.avg) if v is not None)
    assert first == 120  # minute tier from 2 h on; raw only from 4 h on
    ((_, _, hours),) = await tsdb.buckets(selector, T0, now, 6)  # 1-hour buckets
    assert all(v is not None for v in hours.avg)  # the hour tier still covers all six hours
    await store.close()


async def test_max_disk_drops_the_oldest_history_and_the_file_shrinks(tmp_path):
    db = tmp_path / "hub.db"
    store, tsdb = await open_tsdb(db)
    await fill(tsdb, 8)
    await store.close()
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = db.stat().st_size
    store, tsdb = await open_tsdb(db)
    used = await store.used_bytes()
    assert used is not None
    cap = used * 3 // 4  # of what the data takes (compaction left the head's pages free)
    report = await tsdb.prune(T0 + timedelta(hours=9), RetentionConfig(max_disk=cap))
    assert report.capped
    assert report.chunks >= 20  # at least the oldest block of every series
    assert report.reclaimed_bytes > 0
    assert await store.used_bytes() <= cap
    await store.close()
    assert db.stat().st_size < before * 0.75
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        oldest = conn.execute("SELECT min(block_ms) FROM chunks").fetchone()[0]
    assert oldest > int(T0.timestamp() * 1000)  # the first block went first


async def test_nothing_to_reclaim_leaves_the_file_alone(tmp_path):
    store, tsdb = await open_tsdb(tmp_path / "hub.db")
    await fill(tsdb, 1, series=1)
    report = await tsdb.prune(T0 + timedelta(hours=1), RetentionConfig())
    assert (
        report.samples,
        report.chunks,
        report.rollups,
        report.capped,
        report.reclaimed_bytes,
    ) == (0, 0, 0, False, 0)
    await store.close()
