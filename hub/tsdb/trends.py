"""Linear trends, threshold-crossing forecasts and week-over-week comparisons of one series."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import msgspec

DAY = 86_400.0
WEEK = 7 * DAY

Reason = Literal["crossing", "already_beyond", "moving_away", "flat", "beyond_horizon"]


class Fit(msgspec.Struct, frozen=True):
    """A least-squares line ``value = intercept + slope * (t - t0)``."""

    slope: float
    """Change per second."""
    intercept: float
    """Fitted value at ``t0``."""
    t0: float
    """Reference time (mean of the fitted timestamps, unix seconds)."""
    n: int
    """How many samples were fitted."""
    r2: float
    """Coefficient of determination in [0, 1]; 1.0 when every residual is 0."""

    def value_at(self, t: float) -> float:
        """The fitted value at unix time ``t``."""
        return self.intercept + self.slope * (t - self.t0)


class Trend(msgspec.Struct, frozen=True):
    """The linear trend of a series over a window ending at ``at``."""

    slope_per_day: float
    current: float
    """Fitted value at ``at``."""
    at: float
    n: int
    r2: float

    def value_at(self, t: float) -> float:
        """The fitted value at unix time ``t``."""
        return self.current + self.slope_per_day / DAY * (t - self.at)


class Crossing(msgspec.Struct, frozen=True):
    """When a fitted line reaches a threshold; ``at`` and ``in_seconds`` are None unless it
    crosses (or has already crossed) within the horizon."""

    at: float | None
    in_seconds: float | None
    reason: Reason


class Comparison(msgspec.Struct, frozen=True):
    """The mean over a window against the same window one week earlier."""

    current_mean: float
    previous_mean: float
    change: float
    change_percent: float | None
    """Change relative to ``abs(previous_mean)``; None when the previous mean is 0."""


def _finite(
    times: Sequence[float], values: Sequence[float], start: float, end: float
) -> list[tuple[float, float]]:
    """The finite samples with ``start < t <= end``."""
    return [
        (t, v)
        for t, v in zip(times, values, strict=True)
        if start < t <= end and math.isfinite(t) and math.isfinite(v)
    ]


def linear_fit(times: Sequence[float], values: Sequence[float]) -> Fit | None:
    """Least-squares line through the samples, skipping non-finite times and values.

    Times are centred on their mean before fitting: with unix timestamps (~1.8e9) the
    textbook ``n*sum(t*t) - sum(t)**2`` form cancels away every significant digit.

    Args:
        times: Sample times in unix seconds, in any order; duplicates are allowed.
        values: Sample values, one per time.

    Returns:
        The fit, or None with fewer than 2 usable samples or when they all share one time.

    Raises:
        ValueError: If ``times`` and ``values`` differ in length.
    """
    points = _finite(times, values, -math.inf, math.inf)
    n = len(points)
    if n < 2:
        return None
    t0 = math.fsum(t for t, _ in points) / n
    mean = math.fsum(v for _, v in points) / n
    sxx = math.fsum((t - t0) ** 2 for t, _ in points)
    if sxx == 0:
        return None
    slope = math.fsum((t - t0) * (v - mean) for t, v in points) / sxx
    ss_tot = math.fsum((v - mean) ** 2 for _, v in points)
    ss_res = math.fsum((v - mean - slope * (t - t0)) ** 2 for t, v in points)
    # Constant values are explained perfectly by a flat line, so they count as a perfect fit.
    r2 = 1.0 if ss_tot == 0 else min(1.0, max(0.0, 1.0 - ss_res / ss_tot))
    return Fit(slope=slope, intercept=mean, t0=t0, n=n, r2=r2)


def _window_fit(
    times: Sequence[float], values: Sequence[float], now: float, window_seconds: float
) -> Fit | None:
    points = _finite(times, values, now - window_seconds, now)
    return linear_fit([t for t, _ in points], [v for _, v in points])


def trend(
    times: Sequence[float], values: Sequence[float], now: float, window_seconds: float
) -> Trend | None:
    """The linear trend over the samples in ``(now - window_seconds, now]``.

    Returns:
        Slope per day and the fitted value at ``now``, or None when no line can be fitted.
    """
    fit = _window_fit(times, values, now, window_seconds)
    if fit is None:
        return None
    return Trend(
        slope_per_day=fit.slope * DAY, current=fit.value_at(now), at=now, n=fit.n, r2=fit.r2
    )


def forecast_crossing(
    line: Fit | Trend,
    threshold: float,
    now: float,
    horizon_seconds: float | None = None,
    *,
    direction: Literal["up", "down"],
) -> Crossing:
    """When the fitted line reaches ``threshold``; only crossings after ``now`` count.

    Args:
        line: A fit or trend of the series.
        threshold: The value that matters, e.g. 100 (% disk used) or 0 (free bytes).
        now: The current unix time.
        horizon_seconds: Crossings further ahead than this are reported as "beyond_horizon".
        direction: "up" if going above ``threshold`` is bad, "down" if going below is; without
            it a line past the threshold and one leaving it on the safe side look the same.

    Returns:
        "already_beyond" (``at=now``) if the fitted value at ``now`` is at or past the
        threshold on the bad side; otherwise "flat", "moving_away", "beyond_horizon", or
        "crossing" with the time it gets there.
    """
    slope = line.slope if isinstance(line, Fit) else line.slope_per_day / DAY
    sign = 1.0 if direction == "up" else -1.0
    gap = sign * (threshold - line.value_at(now))
    if gap <= 0:
        return Crossing(at=now, in_seconds=0.0, reason="already_beyond")
    if slope == 0:
        return Crossing(at=None, in_seconds=None, reason="flat")
    if sign * slope < 0:
        return Crossing(at=None, in_seconds=None, reason="moving_away")
    in_seconds = gap / (sign * slope)
    if horizon_seconds is not None and in_seconds > horizon_seconds:
        return Crossing(at=None, in_seconds=None, reason="beyond_horizon")
    return Crossing(at=now + in_seconds, in_seconds=in_seconds, reason="crossing")


def predict(
    times: Sequence[float],
    values: Sequence[float],
    now: float,
    window_seconds: float,
    horizon_seconds: float,
) -> float | None:
    """The value ``horizon_seconds`` after ``now``, like Prometheus' ``predict_linear``.

    The line is fitted over the samples in ``(now - window_seconds, now]``; see
    https://prometheus.io/docs/prometheus/latest/querying/functions/#predict_linear

    Returns:
        The predicted value, or None with fewer than 2 usable samples.
    """
    fit = _window_fit(times, values, now, window_seconds)
    return None if fit is None else fit.value_at(now + horizon_seconds)


def _mean(points: list[tuple[float, float]]) -> float | None:
    return math.fsum(v for _, v in points) / len(points) if points else None


def week_over_week(
    times: Sequence[float], values: Sequence[float], now: float, window_seconds: float
) -> Comparison | None:
    """The mean over ``(now - window_seconds, now]`` against the same window a week earlier.

    Returns:
        The comparison, or None when either window has no finite samples.
    """
    current, previous = (
        _mean(_finite(times, values, end - window_seconds, end)) for end in (now, now - WEEK)
    )
    if current is None or previous is None:
        return None
    change = current - previous
    percent = None if previous == 0 else change / abs(previous) * 100
    return Comparison(
        current_mean=current, previous_mean=previous, change=change, change_percent=percent
    )
