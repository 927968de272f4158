"""Downsampling for charts: at most N buckets per series, each with min, avg and max, so a
spike survives a 30-day view instead of being averaged away."""

from __future__ import annotations

import math
from collections.abc import Sequence

import msgspec


class Buckets(msgspec.Struct, frozen=True):
    """Columns of equal-width buckets; bucket ``i`` starts at ``start + i * step``.

    A bucket with no finite sample holds None in every column.
    """

    start: float
    step: float
    min: list[float | None]
    avg: list[float | None]
    max: list[float | None]


def bucket_step(start: float, end: float, points: int, resolution: float = 0.0) -> float:
    """Bucket width for at most ``points`` buckets over ``[start, end]``, never finer than
    ``resolution`` (the sampling interval, so buckets are not mostly empty)."""
    return max((end - start) / max(points, 1), resolution, 1e-3)


def downsample(
    times: Sequence[float], values: Sequence[float], start: float, end: float, step: float
) -> Buckets:
    """min/avg/max of the samples in each ``step``-wide bucket of ``[start, end]``."""
    count = max(1, math.ceil((end - start) / step)) if end > start else 1
    lows: list[float | None] = [None] * count
    highs: list[float | None] = [None] * count
    sums = [0.0] * count
    ns = [0] * count
    for time, value in zip(times, values, strict=True):
        if not start <= time <= end or not math.isfinite(value):
            continue
        i = min(int((time - start) // step), count - 1)
        low, high = lows[i], highs[i]
        lows[i] = value if low is None or value < low else low
        highs[i] = value if high is None or value > high else high
        sums[i] += value
        ns[i] += 1
    avgs: list[float | None] = [s / n if n else None for s, n in zip(sums, ns, strict=True)]
    return Buckets(start, step, lows, avgs, highs)
