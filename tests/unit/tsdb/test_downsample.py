"""min/avg/max buckets keep spikes visible."""

import math

import pytest

from hub.tsdb.downsample import (
    bucket_step,
    combine,
    combine_rollups,
    concat,
    downsample,
    samples_as_rollups,
)
from hub.tsdb.rollup import summarize


def test_a_spike_survives_in_max_while_avg_smooths():
    times = [float(t) for t in range(0, 600, 10)]
    values = [10.0] * len(times)
    values[25] = 99.0
    buckets = downsample(times, values, 0, 600, bucket_step(0, 600, 6))
    assert buckets.step == 100
    assert len(buckets.max) == 6
    assert buckets.max[2] == 99.0
    assert buckets.min[2] == 10.0
    assert buckets.avg[2] == (9 * 10 + 99) / 10
    assert buckets.avg[0] == 10.0


def test_empty_buckets_and_non_finite_values_are_none():
    buckets = downsample([0.0, 1.0, 250.0], [1.0, math.nan, 3.0], 0, 300, 100)
    assert buckets.avg == [1.0, None, 3.0]
    assert buckets.min == [1.0, None, 3.0]


def test_samples_outside_the_range_are_ignored_and_the_end_is_included():
    buckets = downsample([-5.0, 0.0, 100.0, 105.0], [9.0, 1.0, 2.0, 9.0], 0, 100, 50)
    assert buckets.max == [1.0, 2.0]
    assert buckets.start == 0


def test_step_is_never_finer_than_the_resolution():
    assert bucket_step(0, 60, 1000, resolution=10) == 10
    assert bucket_step(0, 86400 * 30, 1000) == 2592
    assert downsample([], [], 5, 5, 1).avg == [None]


def _as_aggregates(rollups):
    return [
        (ms / 1000, n, s, lo, hi)
        for ms, n, s, lo, hi in zip(
            rollups.times_ms, rollups.counts, rollups.sums, rollups.mins, rollups.maxs, strict=True
        )
    ]


@pytest.mark.parametrize("points", [3, 50, 700, 5000])
def test_columns_fold_like_one_aggregate_at_a_time(points):
    # Dense columns are reduced by slices, sparse ones one entry at a time: both as combine.
    times = list(range(0, 7_200_000, 10_000))
    values = [float((i * 37) % 101) for i in range(len(times))]
    rollups = summarize(times, values, 60)
    start, end = 600.5, 6_000.0
    step = bucket_step(start, end, points)
    got = combine_rollups(rollups, start, end, step)
    expected = combine(_as_aggregates(rollups), start, end, step)
    assert (got.min, got.max) == (expected.min, expected.max)
    assert [a is None for a in got.avg] == [a is None for a in expected.avg]
    for mine, theirs in zip(got.avg, expected.avg, strict=True):
        if mine is not None:
            assert math.isclose(mine, theirs)


def test_overlapping_columns_are_put_in_time_order_and_non_finite_samples_dropped():
    head = samples_as_rollups([30_000, 90_000], [math.nan, 4.0])
    older = summarize([0, 60_000, 120_000], [1.0, 2.0, 3.0], 60)
    joined = concat([older, head])
    assert joined.times_ms == [0, 60_000, 90_000, 120_000]
    assert joined.maxs == [1.0, 2.0, 4.0, 3.0]
    buckets = combine_rollups(joined, 0, 180, 60)
    assert buckets.max == [1.0, 4.0, 3.0]
    assert buckets.avg == [1.0, 3.0, 3.0]
