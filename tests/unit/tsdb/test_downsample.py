"""min/avg/max buckets keep spikes visible."""

import math

from hub.tsdb.downsample import bucket_step, downsample


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
