"""Rollups: count, sum, min, max and last of a series per 1-minute and 1-hour bucket.

They are computed from a compacted block's chunk, so they are exact, and recomputed whenever
the block is compacted again (late samples), which makes them incremental and idempotent.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import msgspec

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
        count, total, low, high, last = 0, 0.0, math.inf, -math.inf, 0.0
        for ms, value in zip(times_ms, values, strict=True):
            if not math.isfinite(value):
                continue
            start = ms - ms % width
            if start != bucket:
                if bucket is not None:
                    out.append(Rollup(resolution, bucket, count, total, low, high, last))
                bucket, count, total, low, high = start, 0, 0.0, math.inf, -math.inf
            count += 1
            total += value
            low = min(low, value)
            high = max(high, value)
            last = value
        if bucket is not None:
            out.append(Rollup(resolution, bucket, count, total, low, high, last))
    return out
