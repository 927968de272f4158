"""Downsampling for charts: at most N buckets per series, each with min, avg and max, so a
spike survives a 30-day view instead of being averaged away. Inputs are raw samples or rollup
rows (which already carry count, sum, min and max)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import msgspec

Aggregate = tuple[float, int, float, float, float]
"""``(time, count, sum, min, max)``: a raw sample is ``(t, 1, v, v, v)``."""


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


def samples_as_aggregates(times: Sequence[float], values: Sequence[float]) -> Iterable[Aggregate]:
    """Raw samples in the aggregate form; non-finite values are left out."""
    return ((t, 1, v, v, v) for t, v in zip(times, values, strict=True) if math.isfinite(v))


def downsample(
    times: Sequence[float], values: Sequence[float], start: float, end: float, step: float
) -> Buckets:
    """min/avg/max of the samples in each ``step``-wide bucket of ``[start, end]``."""
    return combine(samples_as_aggregates(times, values), start, end, step)


def combine(entries: Iterable[Aggregate], start: float, end: float, step: float) -> Buckets:
    """Fold aggregates into ``step``-wide buckets of ``[start, end]``, by their time."""
    count = max(1, math.ceil((end - start) / step)) if end > start else 1
    lows: list[float | None] = [None] * count
    highs: list[float | None] = [None] * count
    sums = [0.0] * count
    ns = [0] * count
    for time, n, total, low, high in entries:
        if not start <= time <= end or n == 0:
            continue
        i = min(int((time - start) // step), count - 1)
        was_low, was_high = lows[i], highs[i]
        lows[i] = low if was_low is None or low < was_low else was_low
        highs[i] = high if was_high is None or high > was_high else was_high
        sums[i] += total
        ns[i] += n
    avgs: list[float | None] = [s / n if n else None for s, n in zip(sums, ns, strict=True)]
    return Buckets(start, step, lows, avgs, highs)
