"""Series API: range queries with selectors and buckets, trends and forecasts, comparisons."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Literal

from litestar import get
from litestar.exceptions import ValidationException
from litestar.params import FromQuery, QueryParameter

from hub.api.schemas import SeriesRead
from hub.api.state import HubDep
from hub.lib.clock import from_unix
from hub.lib.durations import parse_duration
from hub.tsdb.analysis import Change, Forecast, forecasts, week_over_week_changes
from hub.tsdb.selector import Selector, SelectorError, parse_selector

MAX_RANGE = timedelta(days=31)
MAX_POINTS = 10_000


@get("/api/v1/series", tags=["series"])
async def query_series(
    hub: HubDep,
    match: FromQuery[str],
    from_: Annotated[float | None, QueryParameter(name="from")] = None,
    to: FromQuery[float | None] = None,
    points: FromQuery[int | None] = None,
) -> list[SeriesRead]:
    """Series chosen by the selector ``match`` (``cpu_usage{host="a", mount=~"/d.*"}``) between
    ``from`` and ``to`` (unix seconds; default the last hour): raw samples, or with ``points``
    at most that many min/avg/max buckets per series (from the rollup tiers on long ranges)."""
    end = _unix_time(to, "to") if to is not None else hub.clock.now()
    start = _unix_time(from_, "from") if from_ is not None else end - timedelta(hours=1)
    if start > end:
        raise ValidationException("`from` must not be after `to`")
    if end - start > MAX_RANGE:
        raise ValidationException("the range is limited to 31 days")
    if points is not None and not 1 <= points <= MAX_POINTS:
        raise ValidationException(f"`points` must be between 1 and {MAX_POINTS}")
    selector = _selector(match)
    if points is None:
        return [
            SeriesRead(r.name, r.labels, timestamps=r.times, values=r.values)
            for r in await hub.tsdb.select(selector, start, end)
        ]
    return [
        SeriesRead(name, labels, start=b.start, step=b.step, min=b.min, avg=b.avg, max=b.max)
        for name, labels, b in await hub.tsdb.buckets(selector, start, end, points)
    ]


LATEST_TIME = 253402300799.0
"""9999-12-31T23:59:59Z: the last second a datetime can hold."""


def _unix_time(value: float, name: str) -> datetime:
    """A query's unix time, or a 400 naming the parameter when it is no time at all."""
    if not 0 <= value <= LATEST_TIME:  # also false for NaN
        raise ValidationException(f"`{name}` must be unix seconds between 0 and {LATEST_TIME:.0f}")
    return from_unix(value)


@get("/api/v1/series/forecast", tags=["series"])
async def forecast_series(
    hub: HubDep,
    match: FromQuery[str],
    window: FromQuery[str] = "7d",
    threshold: FromQuery[float | None] = None,
    horizon: FromQuery[str | None] = None,
    direction: FromQuery[Literal["up", "down"] | None] = None,
) -> list[Forecast]:
    """Linear trend (slope per day) of each selected series over ``window`` and when it
    reaches ``threshold`` (default 100 for percentages) in the metric's bad direction."""
    span = _duration("window", window, timedelta(days=31))
    ahead = _duration("horizon", horizon, timedelta(days=3650)) if horizon else None
    return await forecasts(
        hub.tsdb, _selector(match), hub.clock.now(), span, threshold, ahead, direction
    )


@get("/api/v1/series/compare", tags=["series"])
async def compare_series(
    hub: HubDep, match: FromQuery[str], window: FromQuery[str] = "1d"
) -> list[Change]:
    """Mean of each selected series over ``window`` against the same window a week earlier."""
    span = _duration("window", window, timedelta(days=7))
    return await week_over_week_changes(hub.tsdb, _selector(match), hub.clock.now(), span)


def _selector(match: str) -> Selector:
    try:
        return parse_selector(match)
    except SelectorError as exc:
        raise ValidationException(f"bad `match`: {exc}") from None


def _duration(name: str, text: str, limit: timedelta) -> timedelta:
    try:
        span = timedelta(seconds=parse_duration(text))
    except ValueError as exc:
        raise ValidationException(f"bad `{name}`: {exc}") from None
    if not timedelta(0) < span <= limit:
        raise ValidationException(f"`{name}` must be more than 0 and at most {limit.days} days")
    return span
