"""Rollups per 1-minute and 1-hour bucket."""

import math

from hub.tsdb.rollup import Rollup, pack, rollups, unpack


def test_each_tier_aggregates_its_buckets():
    times = [0, 30_000, 60_000, 3_600_000]
    values = [1.0, 3.0, 5.0, 7.0]
    got = rollups(times, values)
    assert [r for r in got if r.resolution_s == 60] == [
        Rollup(60, 0, 2, 4.0, 1.0, 3.0, 3.0),
        Rollup(60, 60_000, 1, 5.0, 5.0, 5.0, 5.0),
        Rollup(60, 3_600_000, 1, 7.0, 7.0, 7.0, 7.0),
    ]
    assert [r for r in got if r.resolution_s == 3600] == [
        Rollup(3600, 0, 3, 9.0, 1.0, 5.0, 5.0),
        Rollup(3600, 3_600_000, 1, 7.0, 7.0, 7.0, 7.0),
    ]


def test_non_finite_values_are_left_out_and_empty_buckets_skipped():
    got = rollups([0, 1000, 120_000], [math.nan, 2.0, math.inf], tiers=(60,))
    assert got == [Rollup(60, 0, 1, 2.0, 2.0, 2.0, 2.0)]
    assert rollups([0], [math.nan]) == []


def test_packed_rollups_come_back_exactly():
    times = list(range(0, 7_200_000, 10_000))
    values = [round(40 + (i % 37) * 0.7, 1) for i in range(len(times))]
    for tier in (60, 3600):
        rows = [r for r in rollups(times, values) if r.resolution_s == tier]
        assert unpack(tier, pack(rows)) == rows


def test_packed_minute_rollups_cost_under_10_bytes_a_bucket():
    # As table rows they took about 50 bytes each (tests/bench/storage.py, dbstat).
    times = list(range(0, 7_200_000, 10_000))
    values = [round(40 + math.sin(i / 50) * 5, 1) for i in range(len(times))]
    minute = [r for r in rollups(times, values) if r.resolution_s == 60]
    assert len(pack(minute)) / len(minute) < 10


def test_sums_are_correctly_rounded():
    (row,) = rollups([0, 1, 2], [0.1, 0.2, 0.3], tiers=(60,))
    assert row.sum == 0.6  # plain addition gives 0.6000000000000001
