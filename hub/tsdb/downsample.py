"""Downsampling for charts: at most N buckets per series, each with min, avg and max, so a
spike survives a 30-day view instead of being averaged away. Inputs are raw samples or rollup
rows (which already carry count, sum, min and max), one tuple each or as columns."""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from itertools import compress
from operator import le
from typing import Any

import msgspec

from hub.tsdb.rollup import Rollups, exact_sum

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
    folded = _Folded(_bucket_count(start, end, step))
    for time, n, total, low, high in entries:
        if start <= time <= end and n:
            folded.add(int((time - start) // step), n, total, low, high)
    return folded.buckets(start, step)


def samples_as_rollups(times_ms: Sequence[int], values: Sequence[float]) -> Rollups:
    """Raw samples as one-sample buckets; non-finite values are left out."""
    if not all(map(math.isfinite, values)):
        finite = list(map(math.isfinite, values))
        times_ms, values = list(compress(times_ms, finite)), list(compress(values, finite))
    values = list(values)
    return Rollups(list(times_ms), [1] * len(values), values, values, values)


def concat(parts: Iterable[Rollups]) -> Rollups:
    """One set of columns from several, ordered by time (sorted only when they overlap)."""
    out = Rollups([], [], [], [], [])
    for part in parts:
        for column, more in zip(_columns(out), _columns(part), strict=True):
            column.extend(more)
    times = out.times_ms
    if all(map(le, times[:-1], times[1:])):
        return out
    order = sorted(range(len(times)), key=times.__getitem__)
    return Rollups(*([column[i] for i in order] for column in _columns(out)))


def combine_rollups(rollups: Rollups, start: float, end: float, step: float) -> Buckets:
    """``combine`` for columns ordered by time (``start``, ``end`` and ``step`` in seconds):
    the buckets of a 30-day chart take a few thousand C-speed slices instead of a Python step
    per minute."""
    times = rollups.times_ms
    first = bisect_left(times, True, key=lambda ms: ms / 1000 >= start)
    stop = bisect_left(times, True, key=lambda ms: ms / 1000 > end)
    keys = [int((ms / 1000 - start) // step) for ms in times[first:stop]]
    folded = _Folded(_bucket_count(start, end, step))
    if keys and len(keys) >= 4 * (keys[-1] - keys[0] + 1):
        folded.add_runs(keys, rollups, first)
    else:
        folded.add_each(keys, rollups, first)
    return folded.buckets(start, step)


def _bucket_count(start: float, end: float, step: float) -> int:
    return max(1, math.ceil((end - start) / step)) if end > start else 1


def _columns(rollups: Rollups) -> tuple[list[Any], ...]:
    return rollups.times_ms, rollups.counts, rollups.sums, rollups.mins, rollups.maxs


class _Folded:
    """Running count, sum, min and max of each output bucket."""

    def __init__(self, count: int) -> None:
        self.lows: list[float | None] = [None] * count
        self.highs: list[float | None] = [None] * count
        self.sums = [0.0] * count
        self.ns = [0] * count

    def add(self, index: int, n: int, total: float, low: float, high: float) -> None:
        index = min(index, len(self.ns) - 1)
        was_low, was_high = self.lows[index], self.highs[index]
        self.lows[index] = low if was_low is None or low < was_low else was_low
        self.highs[index] = high if was_high is None or high > was_high else was_high
        self.sums[index] += total
        self.ns[index] += n

    def add_each(self, keys: list[int], rollups: Rollups, first: int) -> None:
        """One step per entry: for sparse columns (a few entries per bucket)."""
        stop = first + len(keys)
        columns = (rollups.counts, rollups.sums, rollups.mins, rollups.maxs)
        for key, *entry in zip(keys, *(c[first:stop] for c in columns), strict=True):
            self.add(key, *entry)

    def add_runs(self, keys: list[int], rollups: Rollups, first: int) -> None:
        """One step per run of entries in the same bucket, reduced by slices."""
        start = 0
        while start < len(keys):
            end = bisect_right(keys, keys[start], start)
            lo, hi = first + start, first + end
            self.add(
                keys[start],
                sum(rollups.counts[lo:hi]),
                exact_sum(rollups.sums[lo:hi]),
                min(rollups.mins[lo:hi]),
                max(rollups.maxs[lo:hi]),
            )
            start = end

    def buckets(self, start: float, step: float) -> Buckets:
        avgs = [s / n if n else None for s, n in zip(self.sums, self.ns, strict=True)]
        return Buckets(start, step, self.lows, avgs, self.highs)
