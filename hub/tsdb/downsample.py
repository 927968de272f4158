"""Downsampling for charts: at most N buckets per series, each with min, avg and max, so a
spike survives a 30-day view instead of being averaged away. Inputs are raw samples or rollup
rows (which already carry count, sum, min and max), one tuple each or as columns."""

from __future__ import annotations

import math
from bisect import bisect_left
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
    columns: tuple[list[Any], ...] = ([], [], [], [], [])
    for part in parts:
        for column, more in zip(columns, _columns(part), strict=True):
            column.extend(more)
    times = columns[0]
    if all(map(le, times[:-1], times[1:])):
        return Rollups(*columns)
    order = sorted(range(len(times)), key=times.__getitem__)
    return Rollups(*([column[i] for i in order] for column in columns))


def combine_rollups(rollups: Rollups, start: float, end: float, step: float) -> Buckets:
    """``combine`` for columns ordered by time (``start``, ``end`` and ``step`` in seconds).

    Dense columns (a 30-day chart from minute rollups: 43 entries a bucket) are cut at the
    bucket edges by binary search and each bucket reduced by C-speed slices; sparse ones take
    one plain step per entry.
    """
    times = rollups.times_ms
    count = _bucket_count(start, end, step)
    first = bisect_left(times, True, key=lambda ms: ms / 1000 >= start)
    stop = bisect_left(times, True, key=lambda ms: ms / 1000 > end)
    folded = _Folded(count)
    if stop - first >= 4 * count:
        folded.add_runs(rollups, first, stop, start, step)
    else:
        folded.add_each(rollups, first, stop, start, step)
    return folded.buckets(start, step)


def _bucket_count(start: float, end: float, step: float) -> int:
    return max(1, math.ceil((end - start) / step)) if end > start else 1


def _columns(rollups: Rollups) -> tuple[Sequence[Any], ...]:
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

    def add_each(self, rollups: Rollups, first: int, stop: int, start: float, step: float) -> None:
        """One step per entry (inlined: it runs for every minute of a day-long chart)."""
        lows, highs, sums, ns, last = self.lows, self.highs, self.sums, self.ns, len(self.ns) - 1
        columns = (rollups.times_ms, rollups.counts, rollups.sums, rollups.mins, rollups.maxs)
        for ms, n, total, low, high in zip(*(c[first:stop] for c in columns), strict=True):
            i = int((ms / 1000 - start) // step)
            if i > last:
                i = last
            was_low, was_high = lows[i], highs[i]
            lows[i] = low if was_low is None or low < was_low else was_low
            highs[i] = high if was_high is None or high > was_high else was_high
            sums[i] += total
            ns[i] += n

    def add_runs(self, rollups: Rollups, first: int, stop: int, start: float, step: float) -> None:
        """One step per bucket: its entries found by binary search, reduced by slices."""
        last = len(self.ns) - 1

        def bucket(ms: int) -> int:
            return min(int((ms / 1000 - start) // step), last)

        times, low = rollups.times_ms, first
        while low < stop:
            index = bucket(times[low])
            # The edge's time is a close guess (float rounding); the loops settle it exactly.
            high = bisect_left(times, (start + (index + 1) * step) * 1000, low, stop)
            while high > low + 1 and bucket(times[high - 1]) > index:
                high -= 1
            while high < stop and bucket(times[high]) == index:
                high += 1
            self.add(
                index,
                sum(rollups.counts[low:high]),
                exact_sum(rollups.sums[low:high]),
                min(rollups.mins[low:high]),
                max(rollups.maxs[low:high]),
            )
            low = high

    def buckets(self, start: float, step: float) -> Buckets:
        avgs = [s / n if n else None for s, n in zip(self.sums, self.ns, strict=True)]
        return Buckets(start, step, self.lows, avgs, self.highs)
