"""The time-series layer over a real migrated SQLite file."""

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta

from hub.domain.config import RetentionConfig
from hub.domain.samples import Sample
from hub.lib.durations import Seconds
from hub.store import open_store, upgrade
from hub.tsdb import TSDB

T0 = datetime(2026, 11, 26, 12, tzinfo=UTC)


def at(name, value, seconds, **labels):
    return Sample(
        name, {"host": "h", **labels}, value, (T0 + timedelta(seconds=seconds)).timestamp()
    )


async def open_tsdb(url):
    upgrade(url)
    store = open_store(url)
    return store, TSDB(store)


async def test_latest_survives_a_restart_and_newer_samples_win(store_url):
    store, tsdb = await open_tsdb(store_url)
    await tsdb.write([at("cpu_usage", 10, 0), at("disk_usage", 50, 0, mount="/")])
    await tsdb.write([at("cpu_usage", 20, 10)])
    await store.close()

    store, restarted = await open_tsdb(store_url)
    latest = await restarted.latest(since=T0)
    assert [(s.name, s.value) for s in latest] == [("cpu_usage", 20), ("disk_usage", 50)]
    await restarted.write([at("cpu_usage", 5, 5)])  # late, older sample
    assert [s.value for s in await restarted.latest(since=T0, name="cpu_usage")] == [20]
    assert await restarted.latest(since=T0 + timedelta(seconds=5)) == [at("cpu_usage", 20, 10)]
    await store.close()


async def test_range_returns_columns_per_series_and_repeats_are_ignored(store_url):
    store, tsdb = await open_tsdb(store_url)
    await tsdb.write(
        [at("network_io", 1, 0, direction="rx"), at("network_io", 2, 0, direction="tx")]
    )
    await tsdb.write(
        [at("network_io", 3, 10, direction="rx"), at("network_io", 3, 10, direction="rx")]
    )
    series = await tsdb.range("network_io", T0, T0 + timedelta(minutes=1))
    by_direction = {s.labels["direction"]: s for s in series}
    assert by_direction["rx"].values == [1, 3]
    assert by_direction["rx"].times == [T0.timestamp(), T0.timestamp() + 10]
    assert by_direction["tx"].values == [2]
    assert await tsdb.range("network_io", T0 + timedelta(hours=1), T0 + timedelta(hours=2)) == []
    await store.close()


async def test_prune_drops_old_samples_and_forgets_stale_latest_values(store_url):
    store, tsdb = await open_tsdb(store_url)
    await tsdb.latest(since=T0)  # warm the in-memory view first
    await tsdb.write([at("cpu_usage", 1, 0), at("memory_usage", 2, 100)])
    report = await tsdb.prune(T0 + timedelta(seconds=60), RetentionConfig(raw=Seconds(10)))
    assert report.samples == 1
    assert [s.name for s in await tsdb.latest(since=T0)] == ["memory_usage"]
    assert (await tsdb.range("cpu_usage", T0, T0 + timedelta(hours=1))) == []
    await tsdb.write([])
    await store.close()


async def test_head_keeps_nan_infinities_and_negative_zero_bit_for_bit(store_url):
    import struct

    store, tsdb = await open_tsdb(store_url)
    odd = [float("nan"), float("inf"), float("-inf"), -0.0, 5e-324]
    await tsdb.write([at("m", v, i) for i, v in enumerate(odd)])
    (series,) = await tsdb.range("m", T0, T0 + timedelta(minutes=1))
    assert struct.pack("<5d", *series.values) == struct.pack("<5d", *odd)
    await store.close()


async def test_latest_by_metric_walks_only_the_metrics_asked_for(store_url):
    store, tsdb = await open_tsdb(store_url)
    await tsdb.write([at("cpu_usage", 10, 0), at("disk_usage", 50, 0, mount="/")])
    await store.close()

    store, tsdb = await open_tsdb(store_url)  # loaded from the store, grouped by metric
    await tsdb.write([at("cpu_usage", 20, 10, host="b"), at("memory_usage", 5, 10)])
    found = await tsdb.latest_by_metric(T0, ["cpu_usage", "memory_usage", "nothing"])
    assert sorted(found) == ["cpu_usage", "memory_usage"]
    assert sorted(s.value for s in found["cpu_usage"]) == [10, 20]
    later = await tsdb.latest_by_metric(T0 + timedelta(seconds=5), ["cpu_usage", "disk_usage"])
    assert later == {"cpu_usage": [at("cpu_usage", 20, 10, host="b")]}
    assert [s.name for s in await tsdb.latest(T0, names=["disk_usage"])] == ["disk_usage"]
    assert await tsdb.latest(T0, "disk_usage", names=["cpu_usage"]) == []
    await store.close()


async def test_latest_series_by_metric_builds_each_label_set_once(store_url):
    store, tsdb = await open_tsdb(store_url)
    await tsdb.write([at("cpu_usage", 10, 0, core="0"), at("memory_usage", 5, 0)])
    [(sample, labelset)] = (await tsdb.latest_series_by_metric(T0, ["cpu_usage"]))["cpu_usage"]
    assert (sample.value, labelset) == (10, frozenset({"host": "h", "core": "0"}.items()))
    await tsdb.write([at("cpu_usage", 20, 10, core="0")])
    [(newer, again)] = (await tsdb.latest_series_by_metric(T0, ["cpu_usage"]))["cpu_usage"]
    assert newer.value == 20
    assert again is labelset  # kept for the series, not built again
    assert await tsdb.latest_series_by_metric(T0 + timedelta(seconds=20), ["cpu_usage"]) == {}
    await tsdb.prune(T0 + timedelta(seconds=60), RetentionConfig(raw=Seconds(30)))
    await tsdb.write([at("cpu_usage", 30, 60, core="0")])
    [(_, rebuilt)] = (await tsdb.latest_series_by_metric(T0, ["cpu_usage"]))["cpu_usage"]
    assert rebuilt == labelset
    assert rebuilt is not labelset  # pruned with its series, then built again
    await store.close()


class _HeldStore:
    """A store whose transactions, while ``hold`` is set, wait for ``gate`` after they end:
    the reader has its rows but has not resumed yet."""

    def __init__(self, store):
        self._store = store
        self.hold = False
        self.held = asyncio.Event()
        self.gate = asyncio.Event()

    def __getattr__(self, name):
        return getattr(self._store, name)

    @contextlib.asynccontextmanager
    async def tx(self):
        async with self._store.tx() as tx:
            yield tx
        if self.hold:
            self.held.set()
            await self.gate.wait()


async def test_a_batch_written_while_the_newest_samples_load_is_not_lost(store_url):
    """The first read of the newest samples (after a start) may predate a batch that commits
    before the read is in: that batch must still be its series' newest (it was missing until
    the series wrote again: a service probed every 30 s showed no health)."""
    store, _ = await open_tsdb(store_url)
    held = _HeldStore(store)
    tsdb = TSDB(held)
    await tsdb.write([at("cpu_usage", 10, 0)])
    held.hold = True
    loading = asyncio.create_task(tsdb.latest(since=T0))
    await asyncio.wait_for(held.held.wait(), 10)
    held.hold = False
    await tsdb.write([at("service_health", 1, 5, service="web")])
    held.gate.set()
    await loading
    latest = await tsdb.latest(since=T0)
    assert [(s.name, s.value) for s in latest] == [("cpu_usage", 10), ("service_health", 1)]
    await store.close()
