"""Trends, capacity forecasts and week-over-week comparisons of stored series."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

import msgspec

from hub.domain.samples import Direction, metric_info
from hub.tsdb.db import TSDB
from hub.tsdb.selector import Selector
from hub.tsdb.trends import WEEK, Comparison, Crossing, forecast_crossing, trend, week_over_week

FIT_POINTS = 1000
"""Long windows are fitted on bucket averages, at most this many per series."""


class Forecast(msgspec.Struct, frozen=True):
    """A series' trend and when it reaches a threshold."""

    name: str
    labels: dict[str, str]
    slope_per_day: float
    current: float
    r2: float
    samples: int
    threshold: float | None
    crossing: Crossing | None


class Change(msgspec.Struct, frozen=True):
    """A series' mean over a window against the same window a week earlier."""

    name: str
    labels: dict[str, str]
    comparison: Comparison


def default_threshold(metric: str) -> float | None:
    """100 for percentages (a full disk), else none: the caller must say."""
    return 100.0 if metric_info(metric).unit == "%" else None


async def forecasts(
    tsdb: TSDB,
    selector: Selector,
    now: datetime,
    window: timedelta,
    threshold: float | None = None,
    horizon: timedelta | None = None,
    direction: Literal["up", "down"] | None = None,
) -> list[Forecast]:
    """Trend of each selected series over ``window``, with the crossing of ``threshold``
    (default: 100 for percentages) in the metric's bad direction (or ``direction``).

    Series are fitted on at most ``FIT_POINTS`` bucket averages placed at bucket midpoints
    (cheap over long windows; the slope is off by at most half a bucket's worth of time), or on
    their raw samples when they have too few buckets for a line.
    """
    start = now - window
    points: dict[tuple[str, tuple[tuple[str, str], ...]], list[tuple[float, float]]] = {}
    labels_of: dict[tuple[str, tuple[tuple[str, str], ...]], dict[str, str]] = {}
    for name, labels, buckets in await tsdb.buckets(selector, start, now, FIT_POINTS):
        end = now.timestamp()  # the last bucket may reach past now; its midpoint must not
        mids = [min(buckets.start + (i + 0.5) * buckets.step, end) for i in range(len(buckets.avg))]
        key = _key(name, labels)
        labels_of[key] = labels
        points[key] = [(t, v) for t, v in zip(mids, buckets.avg, strict=True) if v is not None]
    if any(len(p) < 2 for p in points.values()):
        for series in await tsdb.select(selector, start, now):
            key = _key(series.name, series.labels)
            if len(points.get(key, ())) < 2:
                points[key] = list(zip(series.times, series.values, strict=True))
    out = []
    for key, pairs in points.items():
        name, labels = key[0], labels_of[key]
        fitted = trend(
            [t for t, _ in pairs], [v for _, v in pairs], now.timestamp(), window.total_seconds()
        )
        if fitted is None:
            continue
        limit = threshold if threshold is not None else default_threshold(name)
        bad: Literal["up", "down"] = direction or (
            "down" if metric_info(name).bad is Direction.DOWN else "up"
        )
        crossing = (
            None
            if limit is None
            else forecast_crossing(
                fitted,
                limit,
                now.timestamp(),
                horizon.total_seconds() if horizon else None,
                direction=bad,
            )
        )
        out.append(
            Forecast(
                name,
                labels,
                fitted.slope_per_day,
                fitted.current,
                fitted.r2,
                fitted.n,
                limit,
                crossing,
            )
        )
    return out


async def week_over_week_changes(
    tsdb: TSDB, selector: Selector, now: datetime, window: timedelta
) -> list[Change]:
    """Mean of each selected series over ``window`` against the same window a week ago."""
    week = timedelta(seconds=WEEK)
    current = await tsdb.select(selector, now - window, now)
    earlier = {
        _key(r.name, r.labels): r
        for r in await tsdb.select(selector, now - week - window, now - week)
    }
    out = []
    for series in current:
        before = earlier.get(_key(series.name, series.labels))
        if before is None:
            continue
        compared = week_over_week(
            before.times + series.times,
            before.values + series.values,
            now.timestamp(),
            window.total_seconds(),
        )
        if compared is not None:
            out.append(Change(series.name, series.labels, compared))
    return out


def _key(name: str, labels: dict[str, str]) -> tuple[str, tuple[tuple[str, str], ...]]:
    return name, tuple(sorted(labels.items()))
