"""Aggregations over a rule's window: a list of (time, value) points becomes one value."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence

from hub.domain.rules import Aggregation

Points = Sequence[tuple[float, float]]
"""(unix seconds, value) pairs, oldest first."""


def aggregate(how: Aggregation, points: Points) -> float | None:
    """The window's value, or None when it has no usable point (``rate`` and ``delta`` need
    two). NaN values are skipped, as a missed reading is."""
    usable = [(t, v) for t, v in points if not math.isnan(v)]
    if not usable:
        return None
    return _AGGREGATIONS[how](usable)


def _avg(points: Points) -> float:
    return math.fsum(v for _, v in points) / len(points)


def _p95(points: Points) -> float:
    """The 95th percentile with linear interpolation between closest ranks (numpy's default)."""
    values = sorted(v for _, v in points)
    rank = 0.95 * (len(values) - 1)
    low = math.floor(rank)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (rank - low)


def _rate(points: Points) -> float | None:
    """Per-second increase of a counter; a drop is a reset, counted from zero."""
    if len(points) < 2:
        return None
    increase = 0.0
    for (_, before), (_, after) in itertools.pairwise(points):
        increase += after - before if after >= before else after
    elapsed = points[-1][0] - points[0][0]
    return increase / elapsed if elapsed > 0 else None


def _delta(points: Points) -> float | None:
    return points[-1][1] - points[0][1] if len(points) >= 2 else None


_AGGREGATIONS: dict[Aggregation, Callable[[Points], float | None]] = {
    Aggregation.LAST: lambda p: p[-1][1],
    Aggregation.AVG: _avg,
    Aggregation.MIN: lambda p: min(v for _, v in p),
    Aggregation.MAX: lambda p: max(v for _, v in p),
    Aggregation.SUM: lambda p: math.fsum(v for _, v in p),
    Aggregation.COUNT: lambda p: float(len(p)),
    Aggregation.P95: _p95,
    Aggregation.RATE: _rate,
    Aggregation.DELTA: _delta,
}
