"""Rollups per 1-minute and 1-hour bucket."""

import math
import struct

import pytest

from hub.tsdb.rollup import RollupError, Rollups, pack, summarize, unpack


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


def test_full_precision_rollups_come_back_bit_for_bit():
    times = list(range(0, 7_200_000, 10_000))
    values = [math.sin(i) * 1e3 for i in range(len(times))]
    rollups = summarize(times, values, 60)
    back = unpack(pack(rollups))
    for column in ("sums", "mins", "maxs"):
        stored, original = getattr(back, column), getattr(rollups, column)
        assert struct.pack(f"<{len(stored)}d", *stored) == struct.pack(
            f"<{len(original)}d", *original
        )


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
