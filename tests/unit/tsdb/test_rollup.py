"""Rollups per 1-minute and 1-hour bucket."""

import math
import operator
from array import array

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.tsdb.rollup import RollupError, Rollups, pack, summarize, summarize_tiers, unpack


def test_each_tier_aggregates_its_buckets():
    times = [0, 30_000, 60_000, 3_600_000]
    values = [1.0, 3.0, 5.0, 7.0]
    assert summarize(times, values, 60) == Rollups(
        times_ms=[0, 60_000, 3_600_000],
        counts=[2, 1, 1],
        sums=[4.0, 5.0, 7.0],
        mins=[1.0, 5.0, 7.0],
        maxs=[3.0, 5.0, 7.0],
    )
    assert summarize(times, values, 3600) == Rollups(
        [0, 3_600_000], [3, 1], [9.0, 7.0], [1.0, 7.0], [5.0, 7.0]
    )


def test_non_finite_values_are_left_out_and_empty_buckets_skipped():
    got = summarize([0, 1000, 120_000], [math.nan, 2.0, math.inf], 60)
    assert got == Rollups([0], [1], [2.0], [2.0], [2.0])
    assert summarize([0], [math.nan], 60).times_ms == []


def test_packed_rollups_come_back_exactly():
    times = list(range(0, 7_200_000, 10_000))
    values = [round(40 + (i % 37) * 0.7, 1) for i in range(len(times))]
    values[5] = -0.0
    for tier in (60, 3600):
        rollups = summarize(times, values, tier)
        assert unpack(pack(rollups)) == rollups


def test_packed_minute_rollups_cost_under_5_bytes_a_bucket():
    # As table rows they took about 50 bytes each, as five codec chunks about 7 (dbstat).
    times = list(range(0, 7_200_000, 10_000))
    values = [round(40 + math.sin(i / 50) * 5, 1) for i in range(len(times))]
    minute = summarize(times, values, 60)
    assert len(pack(minute)) / len(minute.times_ms) < 5


def test_sums_are_correctly_rounded():
    rollups = summarize([0, 1, 2], [0.1, 0.2, 0.3], 60)
    assert rollups.sums == [0.6]  # plain addition gives 0.6000000000000001


VERSION_1_BLOB = bytes.fromhex(
    "210000000144020000000000000000000000789c63486078c5800cd8fe33a0400067ad0949240000"
    "000144020000000000000000000000789c63486078c580041863a733fd674082006732093b220000"
    "000144020000000000000000000000789c63486078c5800418e359195000002dd901b02300000001"
    "44020000000000000000000000789c63486078c5800418337f33fc4786006db209a9200000000144"
    "020000000000000000000000789c63486078c5800cb818500100282d0155"
)
"""Two minute buckets as the previous layout stored them: five version 1 codec chunks (count,
sum, min, max, last), each behind its length."""


def test_version_1_blobs_are_still_read():
    assert unpack(VERSION_1_BLOB) == Rollups(
        [0, 60_000], [6, 5], [60.5, 50.0], [9.5, 10.0], [10.5, 10.0]
    )


@pytest.mark.parametrize(
    "junk", [b"", b"\x01\x00\x00\x00\x02" + bytes(20), b"\x05\x00\x00\x00\x01xx"]
)
def test_corrupt_blobs_raise_rollup_error(junk):
    with pytest.raises(RollupError):
        unpack(junk)


def test_nothing_to_pack_is_refused():
    with pytest.raises(ValueError, match="no buckets"):
        pack(Rollups([], [], [], [], []))


def test_sums_that_overflow_become_infinite_instead_of_failing():
    rollups = summarize([0, 1], [1.7e308, 1.7e308], 60)
    assert rollups.sums == [math.inf]
    assert rollups.maxs == [1.7e308]


def test_full_precision_rollups_are_float32_with_bounds_rounded_outward():
    times = list(range(0, 7_200_000, 10_000))
    values = [math.sin(i) * 1e3 + 1e-9 * i for i in range(len(times))]
    values[7] = 0.0
    rollups = summarize(times, values, 60)
    back = unpack(pack(rollups))
    assert back.times_ms == rollups.times_ms and back.counts == rollups.counts
    assert all(map(operator.le, back.mins, rollups.mins))  # never above the true minimum
    assert all(map(operator.ge, back.maxs, rollups.maxs))  # never below the true maximum
    for stored, exact in zip(
        back.sums + back.mins + back.maxs, sums_mins_maxs(rollups), strict=True
    ):
        assert stored == float(array("f", [stored])[0])  # a float32
        assert math.isclose(stored, exact, rel_tol=1.2e-7, abs_tol=1e-44)


def sums_mins_maxs(rollups):
    return [*rollups.sums, *rollups.mins, *rollups.maxs]


@pytest.mark.parametrize(
    "value", [0.0, -0.0, 1e-45, -1e-45, 1e-50, -1e-50, 3e38, -3e38, 3.40282356e38, 1 / 3, -1 / 3]
)
def test_single_values_round_outward_even_at_zero_and_the_float32_edges(value):
    rollups = Rollups([0], [1], [value], [value], [value])
    back = unpack(pack(rollups))
    assert back.mins[0] <= value <= back.maxs[0]


def test_values_beyond_float32_stay_full_precision():
    rollups = summarize([0, 1], [1e300 / 3, 2e300 / 3], 60)
    assert unpack(pack(rollups)) == rollups


def _step(value, up):
    """The float32 next to ``value`` (a float32) upward or downward, from its bits."""
    bits = array("i", array("f", [value]).tobytes())[0]
    if value == 0:
        return float(array("f", array("i", [1 if up else -0x7FFF_FFFF]).tobytes())[0])
    bits += 1 if (value > 0) == up else -1
    return float(array("f", array("i", [bits]).tobytes())[0])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(-3e38, 3e38), min_size=1, max_size=40))
def test_bounds_are_the_nearest_float32_outward(values):
    rollups = Rollups([0], [len(values)], [0.0], [min(values)], [max(values)])
    back = unpack(pack(rollups))
    low, high = back.mins[0], back.maxs[0]
    assert low <= min(values) and _step(low, up=True) > min(values)
    assert high >= max(values) and _step(high, up=False) < max(values)


def as_bits(rollups):
    """Every column of ``rollups``, floats by their bits (so -0.0 and 0.0 differ)."""
    columns = (rollups.sums, rollups.mins, rollups.maxs)
    floats = [array("d", column).tobytes() for column in columns]
    return list(rollups.times_ms), list(rollups.counts), floats


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(-3 * 3_600_000, 3 * 3_600_000),
            st.one_of(st.floats(), st.sampled_from([0.0, -0.0, 1e308, -1e308])),
        ),
        max_size=200,
        unique_by=lambda pair: pair[0],
    )
)
def test_tiers_summarized_together_equal_each_tier_summarized_alone(points):
    points.sort()
    times, values = [t for t, _ in points], [v for _, v in points]
    together = summarize_tiers(times, values, (60, 600, 3600))
    alone = [summarize(times, values, tier) for tier in (60, 600, 3600)]
    assert list(map(as_bits, together)) == list(map(as_bits, alone))


def one_by_one(times, values, resolution_s):
    """Rollups the slow, obvious way: each sample into its bucket (finite values only)."""
    width = resolution_s * 1000
    buckets: dict[int, list[float]] = {}
    for ms, value in zip(times, values, strict=True):
        if math.isfinite(value):
            buckets.setdefault(ms - ms % width, []).append(value)
    starts = sorted(buckets)
    groups = [buckets[start] for start in starts]
    return Rollups(
        starts,
        list(map(len, groups)),
        list(map(math.fsum, groups)),
        list(map(min, groups)),
        list(map(max, groups)),
    )


@settings(max_examples=300, deadline=None)
@given(
    st.integers(-(10**13), 10**13),
    st.sampled_from([1, 7, 1000, 10_000, 15_000, 20_000, 45_000, 60_000, 120_000, 600_000]),
    st.integers(0, 1500),
    st.sampled_from([60, 3600]),
    st.data(),
)
def test_evenly_spaced_samples_fall_in_the_same_buckets_as_one_by_one(
    first, step, count, resolution_s, data
):
    # Evenly spaced times take the arithmetic path (when the step divides the bucket), others
    # the search; a gap or a non-finite value anywhere must still give the obvious buckets.
    times = list(range(first, first + count * step, step))
    if count > 2 and data.draw(st.booleans()):
        del times[data.draw(st.integers(1, count - 2))]
    values = [float(i % 13) - 6.5 for i in range(len(times))]
    if times and data.draw(st.booleans()):
        values[data.draw(st.integers(0, len(times) - 1))] = math.nan
    expected = one_by_one(times, values, resolution_s)
    assert as_bits(summarize(times, values, resolution_s)) == as_bits(expected)
    tiers = summarize_tiers(times, values)
    assert list(map(as_bits, tiers)) == [as_bits(one_by_one(times, values, r)) for r in (60, 3600)]
