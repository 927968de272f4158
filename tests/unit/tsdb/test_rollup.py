"""Rollups per 1-minute and 1-hour bucket."""

import math

from hub.tsdb.rollup import Rollup, rollups


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
