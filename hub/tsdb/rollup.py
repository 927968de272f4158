"""Rollups: count, sum, min, max and last of a series per 1-minute and 1-hour bucket.

They are computed from a compacted block's chunk, so they are exact, and recomputed whenever
the block is compacted again (late samples), which makes them incremental and idempotent. Each
tier of a series and block is stored as one blob compressed with the chunk codec: as plain rows
they took more space than the samples they summarise (measured by tests/bench/storage.py).
"""

from __future__ import annotations

import math
import struct
from collections.abc import Sequence

import msgspec

from hub.tsdb.codec import decode, encode

_LENGTH = struct.Struct("<I")

TIERS = (60, 3600)
"""Rollup resolutions in seconds: the 1-minute and the 1-hour tier."""


class Rollup(msgspec.Struct, frozen=True):
    """Aggregates of the finite values in one bucket."""

    resolution_s: int
    bucket_ms: int
    count: int
    sum: float
    min: float
    max: float
    last: float


def rollups(
    times_ms: Sequence[int], values: Sequence[float], tiers: Sequence[int] = TIERS
) -> list[Rollup]:
    """Rollups of samples ordered by time, for every tier; buckets with no finite value are
    left out."""
    out: list[Rollup] = []
    for resolution in tiers:
        width = resolution * 1000
        bucket: int | None = None
        values_in: list[float] = []
        for ms, value in zip(times_ms, values, strict=True):
            if not math.isfinite(value):
                continue
            start = ms - ms % width
            if start != bucket:
                if bucket is not None:
                    out.append(_summary(resolution, bucket, values_in))
                bucket, values_in = start, []
            values_in.append(value)
        if bucket is not None:
            out.append(_summary(resolution, bucket, values_in))
    return out


def _summary(resolution: int, bucket: int, values: list[float]) -> Rollup:
    # fsum is correctly rounded: sums of short decimals stay short decimals and compress well.
    return Rollup(
        resolution, bucket, len(values), math.fsum(values), min(values), max(values), values[-1]
    )


def pack(rows: Sequence[Rollup]) -> bytes:
    """One tier's rollups of one series and block, compressed like chunks (column by column)."""
    times = [r.bucket_ms for r in rows]
    columns = [
        encode(times, [float(r.count) for r in rows]),
        encode(times, [r.sum for r in rows]),
        encode(times, [r.min for r in rows]),
        encode(times, [r.max for r in rows]),
        encode(times, [r.last for r in rows]),
    ]
    return b"".join(_LENGTH.pack(len(c)) + c for c in columns)


def unpack(resolution_s: int, data: bytes) -> list[Rollup]:
    """The rollups ``pack`` stored."""
    columns: list[list[float]] = []
    times: list[int] = []
    offset = 0
    while offset < len(data):
        (size,) = _LENGTH.unpack_from(data, offset)
        offset += _LENGTH.size
        times, values = decode(data[offset : offset + size])
        columns.append(values)
        offset += size
    counts, sums, lows, highs, lasts = columns
    return [
        Rollup(resolution_s, ms, int(n), s, lo, hi, last)
        for ms, n, s, lo, hi, last in zip(times, counts, sums, lows, highs, lasts, strict=True)
    ]
