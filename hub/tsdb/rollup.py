"""Rollups: count, sum, min and max of a series per 1-minute and 1-hour bucket.

They are computed from a compacted block's samples and recomputed whenever the block is
compacted again (late samples), which makes them incremental and idempotent. Counts are exact;
so are sums, minima and maxima whose values are short decimals (most host metrics). Columns of
full-precision values are stored as float32 (version 4): sums rounded to the nearest, minima
rounded down and maxima up, so a chart's min/max envelope still holds every sample and an
average is off by at most about 6e-8 of its value. Full-precision doubles carry about 6.5 bytes
of entropy each, so exact minute sums, minima and maxima cost over 3 bytes per sample on top of
the lossless chunk; as float32 they cost about half (README "Storage": the random-walk budget).
The raw chunks stay lossless: exports, ranges and ``points`` finer than a minute read them. Each
tier of a series and block is stored as one blob: a small header, then one deflate stream of
five columns (bucket starts, counts, sums, minima, maxima) as int64 words, zigzag-encoded and
byte-shuffled together like a chunk's columns (hub/tsdb/codec.py): the 360 blobs of a 30-day
chart each decode with a handful of C-speed steps and no object per bucket.
As plain rows they took more space than the samples they summarise (tests/bench/storage.py).

Version 3 blobs (the same layout, never float32) and version 1 blobs (five separately
compressed codec chunks, plus the bucket's last value, each behind a 4-byte length) are still
read (a version 1 blob's byte 4 is a chunk's version byte, 1). Version 2, one deflate stream
of separately packed columns, lived for a day on a development branch.
"""

from __future__ import annotations

import math
import struct
import zlib
from array import array
from bisect import bisect_left
from collections.abc import Sequence
from itertools import accumulate, compress
from operator import sub

import msgspec

from hub.tsdb import codec

TIERS = (60, 3600)
"""Rollup resolutions in seconds: the 1-minute and the 1-hour tier."""

VERSION = 4
_READ_VERSIONS = (3, VERSION)  # version 3 had no float32 columns; the layout is the same
_ROUNDING: tuple[codec.Rounding, ...] = ("nearest", "down", "up")
"""How sums, minima and maxima may be rounded to float32 (outward for the bounds)."""
_HEADER = struct.Struct("<IBq6s")  # bucket count, version, first bucket start (ms), value modes
_V1_LENGTH = struct.Struct("<I")


class RollupError(ValueError):
    """Bytes that are not a rollup blob."""


class Rollups(msgspec.Struct, frozen=True):
    """One tier's buckets of one series, as columns ordered by bucket start.

    Only finite values count; a bucket without any is left out.
    """

    times_ms: Sequence[int]
    """Start of each bucket."""
    counts: Sequence[int]
    sums: Sequence[float]
    mins: Sequence[float]
    maxs: Sequence[float]

    def compact(self) -> Rollups:
        """The same columns as arrays: a fifth of the memory of lists, for caching."""
        return Rollups(
            array("q", self.times_ms),
            array("q", self.counts),
            array("d", self.sums),
            array("d", self.mins),
            array("d", self.maxs),
        )


def summarize(times_ms: Sequence[int], values: Sequence[float], resolution_s: int) -> Rollups:
    """Rollups of samples ordered by time, in ``resolution_s``-wide buckets."""
    return _summarize_finite(*_finite(times_ms, values), resolution_s)


def summarize_tiers(
    times_ms: Sequence[int], values: Sequence[float], tiers: Sequence[int] = TIERS
) -> list[Rollups]:
    """``summarize`` for each resolution of ``tiers`` (ascending, each a multiple of the one
    before), the same rollups at less cost: each coarser tier's counts, minima and maxima come
    from the finer tier's buckets (a minimum of minima is the minimum, the first of equals
    too), and only its sums read the samples again, so they stay correctly rounded."""
    times_ms, values = _finite(times_ms, values)
    finer = _summarize_finite(times_ms, values, tiers[0])
    out = [finer]
    for resolution_s in tiers[1:]:
        finer = _coarser(finer, values, resolution_s)
        out.append(finer)
    return out


def _finite(
    times_ms: Sequence[int], values: Sequence[float]
) -> tuple[Sequence[int], Sequence[float]]:
    """The samples with a finite value (only those count in a rollup)."""
    if all(map(math.isfinite, values)):
        return times_ms, values
    finite = list(map(math.isfinite, values))
    return list(compress(times_ms, finite)), list(compress(values, finite))


def _coarser(finer: Rollups, values: Sequence[float], resolution_s: int) -> Rollups:
    """Rollups in ``resolution_s`` buckets from ``finer`` ones of the same finite ``values``."""
    starts, ends = _buckets(finer.times_ms, resolution_s)
    offsets = list(accumulate(finer.counts, initial=0))
    first, stop = [offsets[i] for i in starts], [offsets[i] for i in ends]
    width = resolution_s * 1000
    return Rollups(
        [finer.times_ms[i] - finer.times_ms[i] % width for i in starts],
        list(map(sub, stop, first)),
        _sums(list(map(values.__getitem__, map(slice, first, stop)))),
        list(map(min, map(finer.mins.__getitem__, map(slice, starts, ends)))),
        list(map(max, map(finer.maxs.__getitem__, map(slice, starts, ends)))),
    )


def _buckets(times_ms: Sequence[int], resolution_s: int) -> tuple[list[int], list[int]]:
    """Where each ``resolution_s``-wide bucket of sorted ``times_ms`` starts and ends."""
    width = resolution_s * 1000
    starts: list[int] = []
    start, total = 0, len(times_ms)
    while start < total:
        starts.append(start)
        bucket = times_ms[start] - times_ms[start] % width
        start = bisect_left(times_ms, bucket + width, start)
    return starts, [*starts[1:], total]


def _summarize_finite(
    times_ms: Sequence[int], values: Sequence[float], resolution_s: int
) -> Rollups:
    width = resolution_s * 1000
    starts, ends = _buckets(times_ms, resolution_s)
    inside = list(map(values.__getitem__, map(slice, starts, ends)))
    return Rollups(
        [times_ms[i] - times_ms[i] % width for i in starts],
        list(map(sub, ends, starts)),
        _sums(inside),
        list(map(min, inside)),
        list(map(max, inside)),
    )


def _sums(groups: list[Sequence[float]]) -> list[float]:
    try:
        return list(map(math.fsum, groups))
    except (OverflowError, ValueError):
        return list(map(exact_sum, groups))


def exact_sum(values: Sequence[float]) -> float:
    """The correctly rounded sum (so sums of short decimals stay short decimals and compress),
    or the plain one when that overflows or meets infinities of both signs."""
    try:
        return math.fsum(values)
    except (OverflowError, ValueError):
        return sum(values)


def pack(rollups: Rollups) -> bytes:
    """One tier's rollups of one series and block, as a blob.

    Raises:
        ValueError: there are no buckets.
    """
    times = rollups.times_ms
    if not times:
        raise ValueError("no buckets to pack")
    words = [*codec.delta_of_delta(times), *codec.deltas(rollups.counts)]
    hows = b""
    columns = (rollups.sums, rollups.mins, rollups.maxs)
    for column, rounding in zip(columns, _ROUNDING, strict=True):
        how, column_words = codec.float_words(column, rounding)
        hows += how
        words += column_words
    header = _HEADER.pack(len(times), VERSION, times[0], hows)
    return header + codec.deflate(codec.pack_ints(words))


def unpack(data: bytes) -> Rollups:
    """The rollups ``pack`` stored (or a version 1 blob held).

    Raises:
        RollupError: the bytes are not a rollup blob.
    """
    if data[4:5] == b"\x01":
        return _unpack_v1(data)
    try:
        count, version, first, hows = _HEADER.unpack_from(data)
        body = codec.inflate(data[_HEADER.size :])
        if version not in _READ_VERSIONS or len(body) != 8 * 5 * count:
            raise RollupError("not a rollup blob: unknown version or length")
        words = codec.unpack_ints(body, 0, 5 * count)
        columns = [words[i * count : (i + 1) * count] for i in range(5)]
        floats = [codec.words_floats(hows[2 * i : 2 * i + 2], columns[2 + i]) for i in range(3)]
    except (struct.error, zlib.error, codec.CodecError) as exc:
        raise RollupError(f"not a rollup blob: {exc}") from None
    times = codec.undo_delta_of_delta(first, columns[0])
    return Rollups(times, codec.undo_deltas(columns[1]), *floats)


def _unpack_v1(data: bytes) -> Rollups:
    columns: list[list[float]] = []
    times: list[int] = []
    offset = 0
    try:
        while offset < len(data):
            (size,) = _V1_LENGTH.unpack_from(data, offset)
            offset += _V1_LENGTH.size
            times, values = codec.decode(data[offset : offset + size])
            columns.append(values)
            offset += size
        counts, sums, lows, highs, _last = columns
    except (struct.error, codec.CodecError, ValueError) as exc:
        raise RollupError(f"not a version 1 rollup blob: {exc}") from None
    return Rollups(times, [int(n) for n in counts], sums, lows, highs)
