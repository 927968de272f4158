"""The chunk codec is lossless: every float64 and timestamp round-trips bit for bit."""

import math
import random
import struct
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.tsdb.codec import (
    CodecError,
    decode,
    deflate,
    delta_of_delta,
    deltas,
    encode,
    float_words,
    inflate,
    pack_deltas,
    pack_ints,
    words_floats,
)

times_and_values = st.lists(
    st.tuples(st.integers(-(2**50), 2**50), st.floats(allow_nan=True, allow_infinity=True)),
    min_size=1,
    max_size=300,
    unique_by=lambda p: p[0],
).map(lambda pairs: sorted(pairs))


def bits(values):
    return struct.pack(f"<{len(values)}d", *values)


@settings(max_examples=300, deadline=None)
@given(times_and_values)
def test_any_samples_round_trip_bit_for_bit(pairs):
    times = [t for t, _ in pairs]
    values = [v for _, v in pairs]
    got_times, got_values = decode(encode(times, values))
    assert got_times == times
    assert bits(got_values) == bits(values)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.decimals(
            min_value=-(10**9), max_value=10**9, places=2, allow_nan=False, allow_infinity=False
        ),
        min_size=1,
        max_size=200,
    )
)
def test_short_decimals_round_trip(decimals):
    values = [float(d) for d in decimals]
    times = [1_700_000_000_000 + 10_000 * i for i in range(len(values))]
    assert bits(decode(encode(times, values))[1]) == bits(values)


def test_special_values_survive():
    nan_payload = struct.unpack("<d", struct.pack("<Q", 0x7FF8_0000_DEAD_BEEF))[0]
    values = [0.0, -0.0, math.inf, -math.inf, nan_payload, 5e-324, 1.7976931348623157e308, 0.1]
    times = list(range(0, 8000, 1000))
    assert bits(decode(encode(times, values))[1]) == bits(values)


def test_negative_zero_is_not_turned_into_zero():
    out = decode(encode([1, 2], [-0.0, 1.0]))[1]
    assert math.copysign(1, out[0]) == -1


def test_regular_10s_samples_of_a_percent_compress_below_2_bytes_each():
    times = [1_700_000_000_000 + 10_000 * i for i in range(720)]
    values = [round(40 + 5 * math.sin(i / 30), 1) for i in range(720)]
    assert len(encode(times, values)) / 720 < 2.0


def test_a_constant_series_costs_almost_nothing():
    times = [1_700_000_000_000 + 10_000 * i for i in range(720)]
    assert len(encode(times, [1.0] * 720)) / 720 < 0.1


@pytest.mark.parametrize(
    "junk",
    [b"", b"\x01", b"\x02X" + bytes(20), b"\x01D" + bytes(12) + b"not zlib", b"\x01Q" + bytes(12)],
)
def test_corrupt_chunks_raise_codec_error(junk):
    with pytest.raises(CodecError):
        decode(junk)


@pytest.mark.parametrize(("times", "values"), [([], []), ([1, 2], [1.0])])
def test_mismatched_or_empty_columns_are_refused(times, values):
    with pytest.raises(ValueError, match="as many values"):
        encode(times, values)


def test_decimal_deltas_that_overflow_int64_fall_back_to_xor():
    values = [-6.147169676927809e16, 3.076202359926967e16, 0.5]
    assert bits(decode(encode([-2, -1, 0], values))[1]) == bits(values)


@pytest.mark.parametrize(
    ("chunk", "times", "values"),
    [
        (  # decimal values, jittery timestamps
            "014404000000e803000000000000789c63b8f8979981fd3f03030376ccf4e8a6eb1e969f8c4c38e4"
            "190079d3128a",
            [1000, 3001, 4999, 7000],
            [12.5, -3.25, 0.0, 7.0],
        ),
        (  # XOR values: NaN and -0.0
            "0158020000000000000000000000789c6310605067c0017efca8ff0f000f4003a6",
            [0, 10_000],
            [math.nan, -0.0],
        ),
    ],
)
def test_version_1_chunks_are_still_read(chunk, times, values):
    got_times, got_values = decode(bytes.fromhex(chunk))
    assert got_times == times
    assert bits(got_values) == bits(values)


def test_jittery_timestamps_cost_less_than_a_byte_each():
    # A real collector's clock: 10 s apart give or take a few ms (zigzag keeps the high bytes 0).
    times = [1_700_000_000_000 + 10_000 * i + (i * 7919) % 9 - 4 for i in range(720)]
    assert len(encode(times, [1.0] * 720)) / 720 < 1.0


@pytest.mark.parametrize(("how", "words"), [(b"F\0", [2**40]), (b"?\0", [1])])
def test_float_columns_that_cannot_be_read_raise_codec_error(how, words):
    with pytest.raises(CodecError):
        words_floats(how, words)


def packed_or_overflow(pack, ints):
    try:
        return pack(ints)
    except OverflowError:
        return "overflow"


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(st.integers(-(2**61), 2**61), st.integers(-(2**63), 2**63 - 1)),
        min_size=1,
        max_size=40,
    )
)
def test_column_differences_equal_the_one_by_one_differences(ints):
    for order, differences in ((1, deltas), (2, delta_of_delta)):
        expected = packed_or_overflow(lambda i, d=differences: pack_ints(d(i)), ints)
        assert packed_or_overflow(lambda i, o=order: pack_deltas(i, o), ints) == expected


def test_timestamps_at_the_ends_of_int64_round_trip_or_are_refused():
    times = [-(2**62), 0, 2**62]
    assert decode(encode(times, [1.0, 2.0, 3.0]))[0] == times
    with pytest.raises(OverflowError):
        encode([-(2**63), 2**63 - 1], [1.0, 2.0])


@pytest.mark.parametrize("size", [0, 1, 40, 250, 7930, 7931, 20_000, 70_000])
def test_deflate_writes_the_bytes_of_the_largest_window(size):
    rng = random.Random(size)
    data = bytes(rng.choice(b"\0\0\0\1\2\xff") for _ in range(size)) + rng.randbytes(size // 40)
    assert deflate(data) == zlib.compress(data, 6, wbits=-15)
    assert inflate(deflate(data)) == data


@pytest.mark.parametrize(
    ("values", "how"),
    [
        ([1.5] * 10 + [3.125], b"D\x03"),  # the late value needs three digits
        ([1.5] * 10 + [459.70000000000005], b"X\x00"),  # a sum that is no short decimal
        ([1.5] * 10 + [-0.0], b"X\x00"),  # a decimal column would lose the sign
    ],
)
def test_a_float_column_takes_the_digits_its_values_need(values, how):
    got, words = float_words(values)
    assert got == how
    assert bits(words_floats(got, words)) == bits(values)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 6), st.lists(st.integers(-(2**40), 2**40), min_size=1, max_size=20))
def test_short_decimals_up_to_a_million_are_found_with_their_digits(digits, scaled):
    values = [k / 10**digits for k in scaled if abs(k) < 2**40 // 10**6 * 10**digits]
    if values:
        how, _ = float_words(values)
        assert how[:1] == b"D"
        assert how[1] <= digits
