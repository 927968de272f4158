"""Trends, crossing forecasts and week-over-week comparisons from raw samples."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.tsdb.trends import (
    DAY,
    WEEK,
    Crossing,
    Fit,
    forecast_crossing,
    linear_fit,
    predict,
    trend,
    week_over_week,
)

NOW = 1_800_000_000.0
HOUR = 3600.0
GB = 1e9


def line(slope, value_at_now, times, now=NOW):
    return [value_at_now + slope * (t - now) for t in times]


# -- linear_fit ---------------------------------------------------------------------------------


def test_fit_recovers_an_exact_line_at_unix_timestamps():
    times = [NOW - 60 * i for i in range(100)]
    fit = linear_fit(times, line(0.25, 42.0, times))
    assert fit is not None
    assert fit.slope == pytest.approx(0.25, rel=1e-9)
    assert fit.value_at(NOW) == pytest.approx(42.0, rel=1e-9)
    assert fit.intercept == pytest.approx(fit.value_at(fit.t0), rel=1e-12)
    assert fit.n == 100
    assert fit.r2 == pytest.approx(1.0, abs=1e-12)


def test_fit_keeps_a_tiny_slope_at_huge_timestamps():
    # 1e-9 per second on a value of 50: the naive sum-of-squares formula loses it entirely.
    times = [1.8e9 + 10 * i for i in range(8640)]
    fit = linear_fit(times, [50.0 + 1e-9 * (t - 1.8e9) for t in times])
    assert fit is not None
    assert fit.slope == pytest.approx(1e-9, rel=1e-6)
    assert fit.value_at(1.8e9) == pytest.approx(50.0, rel=1e-12)
    assert fit.r2 == pytest.approx(1.0, abs=1e-6)


def test_fit_skips_nan_and_inf():
    times = [NOW - 3, NOW - 2, NOW - 1, NOW, math.inf, math.nan]
    values = [7.0, math.nan, 9.0, math.inf, 100.0, 100.0]
    fit = linear_fit(times, values)
    assert fit is not None
    assert fit.n == 2
    assert fit.slope == pytest.approx(1.0)
    assert fit.value_at(NOW) == pytest.approx(10.0)


def test_fit_does_not_depend_on_sample_order():
    times = [NOW - 30, NOW, NOW - 10, NOW - 20]
    values = [1.0, 4.0, 3.0, 2.5]
    fit = linear_fit(times, values)
    ordered = linear_fit(sorted(times), [values[times.index(t)] for t in sorted(times)])
    assert fit is not None
    assert ordered is not None
    assert fit.slope == pytest.approx(ordered.slope, rel=1e-12)
    assert fit.value_at(NOW) == pytest.approx(ordered.value_at(NOW), rel=1e-12)


def test_fit_of_noisy_points_has_known_slope_and_r2():
    fit = linear_fit([0.0, 1.0, 2.0, 3.0], [0.0, 0.0, 1.0, 1.0])
    assert fit is not None
    assert fit.slope == pytest.approx(0.4)
    assert fit.value_at(0.0) == pytest.approx(-0.1)
    assert fit.r2 == pytest.approx(0.8)


def test_fit_of_uncorrelated_points_has_r2_zero():
    fit = linear_fit([0.0, 1.0, 2.0], [0.0, 1.0, 0.0])
    assert fit is not None
    assert fit.slope == 0
    assert fit.r2 == pytest.approx(0.0)


def test_constant_values_are_a_flat_perfect_fit():
    fit = linear_fit([NOW, NOW + 1, NOW + 2], [5.0, 5.0, 5.0])
    assert fit == Fit(slope=0.0, intercept=5.0, t0=NOW + 1, n=3, r2=1.0)


def test_samples_sharing_a_timestamp_are_averaged_by_the_fit():
    fit = linear_fit([0.0, 0.0, 10.0], [1.0, 3.0, 12.0])
    assert fit is not None
    assert fit.slope == pytest.approx(1.0)
    assert fit.value_at(0.0) == pytest.approx(2.0)


@pytest.mark.parametrize(
    ("times", "values"),
    [
        ([], []),
        ([NOW], [1.0]),
        ([NOW, NOW, NOW], [1.0, 2.0, 3.0]),
        ([NOW, NOW + 1], [1.0, math.nan]),
    ],
    ids=["empty", "single", "one-timestamp", "one-finite"],
)
def test_fit_needs_two_finite_samples_at_different_times(times, values):
    assert linear_fit(times, values) is None


def test_fit_rejects_columns_of_different_length():
    with pytest.raises(ValueError, match="zip"):
        linear_fit([1.0, 2.0, 3.0], [1.0, 2.0])


@settings(max_examples=300, deadline=None)
@given(
    intercept=st.floats(-1e6, 1e6),
    slope=st.floats(1e-3, 1e3) | st.floats(-1e3, -1e-3),
    base=st.floats(0, 2e9),
    offsets=st.lists(st.integers(0, 100_000), min_size=2, max_size=50, unique=True).filter(
        lambda xs: max(xs) - min(xs) >= 60
    ),
)
def test_points_on_any_line_give_back_that_line(intercept, slope, base, offsets):
    times = [base + o for o in offsets]
    values = [intercept + slope * o for o in offsets]
    fit = linear_fit(times, values)
    assert fit is not None
    # Values are rounded to float64, so the error scales with their size over the time spread.
    scale = max(abs(v) for v in values) + 1
    spread = max(offsets) - min(offsets)
    assert fit.slope == pytest.approx(slope, rel=1e-9, abs=1e-12 * scale / spread)
    # The mean time (about 2e9) is itself rounded to its float64 spacing, and the fitted line is
    # read back through it: a few of those spacings times the slope is the error floor.
    floor = 4 * abs(slope) * math.ulp(base + max(offsets))
    assert fit.value_at(base) == pytest.approx(intercept, rel=1e-9, abs=1e-9 * scale + floor)
    assert fit.r2 == pytest.approx(1.0, abs=1e-9)
    assert fit.n == len(offsets)


# -- trend ---------------------------------------------------------------------------------------


def test_trend_fits_only_the_window_ending_now():
    times = [NOW - HOUR * i for i in range(48)] + [NOW + HOUR]
    values = [1000.0 if t <= NOW - DAY or t > NOW else 80.0 + 2 * (t - NOW) / DAY for t in times]
    got = trend(times, values, NOW, DAY)
    assert got is not None
    assert got.n == 24  # (now - 1 day, now]: the sample exactly a day ago is out
    assert got.slope_per_day == pytest.approx(2.0, rel=1e-9)
    assert got.current == pytest.approx(80.0, rel=1e-12)
    assert got.at == NOW
    assert got.r2 == pytest.approx(1.0)


def test_trend_needs_two_samples_in_the_window():
    assert trend([NOW - 2 * DAY, NOW - HOUR], [1.0, 2.0], NOW, DAY) is None


# -- forecast_crossing ---------------------------------------------------------------------------


def test_disk_at_80_percent_growing_2_percent_a_day_is_full_in_10_days():
    times = [NOW - HOUR * i for i in range(24)]
    got = trend(times, line(2 / DAY, 80.0, times), NOW, DAY)
    assert got is not None
    crossing = forecast_crossing(got, 100.0, NOW, direction="up")
    assert crossing.reason == "crossing"
    assert crossing.in_seconds == pytest.approx(10 * DAY, rel=1e-9)
    assert crossing.at == pytest.approx(NOW + 10 * DAY, abs=1e-3)


def test_a_fit_and_its_trend_forecast_the_same_crossing():
    times = [NOW - 600 * i for i in range(50)]
    values = line(2 / DAY, 80.0, times)
    fit = linear_fit(times, values)
    got = trend(times, values, NOW, DAY)
    assert fit is not None
    assert got is not None
    by_fit = forecast_crossing(fit, 100.0, NOW, direction="up")
    by_trend = forecast_crossing(got, 100.0, NOW, direction="up")
    assert by_fit.at == pytest.approx(by_trend.at, abs=1e-3)


def test_free_bytes_falling_toward_zero_cross_it():
    fit = Fit(slope=-GB / HOUR, intercept=3 * GB, t0=NOW, n=10, r2=1.0)
    crossing = forecast_crossing(fit, 0.0, NOW, direction="down")
    assert crossing.reason == "crossing"
    assert crossing.in_seconds == pytest.approx(3 * HOUR, rel=1e-12)
    assert crossing.at == pytest.approx(NOW + 3 * HOUR, abs=1e-6)


@pytest.mark.parametrize(
    ("value", "slope", "direction", "reason"),
    [
        (100.0, 1.0, "up", "already_beyond"),
        (105.0, 1.0, "up", "already_beyond"),
        (105.0, -1.0, "up", "already_beyond"),
        (80.0, -1.0, "up", "moving_away"),
        (80.0, 0.0, "up", "flat"),
        (-5.0, -1.0, "down", "already_beyond"),
        (80.0, 1.0, "down", "moving_away"),
        (80.0, 0.0, "down", "flat"),
    ],
)
def test_lines_that_will_not_cross_in_the_future(value, slope, direction, reason):
    threshold = 100.0 if direction == "up" else 0.0
    fit = Fit(slope=slope, intercept=value - slope * 50, t0=NOW - 50, n=2, r2=1.0)
    crossing = forecast_crossing(fit, threshold, NOW, direction=direction)
    assert crossing.reason == reason
    if reason == "already_beyond":
        assert (crossing.at, crossing.in_seconds) == (NOW, 0.0)
    else:
        assert (crossing.at, crossing.in_seconds) == (None, None)


def test_crossing_past_the_horizon_is_not_reported():
    fit = Fit(slope=2 / DAY, intercept=80.0, t0=NOW, n=2, r2=1.0)
    far = forecast_crossing(fit, 100.0, NOW, horizon_seconds=7 * DAY, direction="up")
    assert far == Crossing(at=None, in_seconds=None, reason="beyond_horizon")
    edge = forecast_crossing(fit, 100.0, NOW, horizon_seconds=10 * DAY, direction="up")
    assert edge.reason == "crossing"
    assert edge.in_seconds == pytest.approx(10 * DAY)


# -- predict -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("horizon", "expected"), [(4 * HOUR, -GB), (2 * HOUR, GB), (0.0, 3 * GB)])
def test_predict_like_prometheus_predict_linear(horizon, expected):
    times = [NOW - 60 * i for i in range(60)]
    values = line(-GB / HOUR, 3 * GB, times)
    got = predict(times, values, NOW, HOUR, horizon)
    assert got == pytest.approx(expected, rel=1e-9)


def test_predict_ignores_samples_outside_the_window():
    times = [NOW - 2 * HOUR, NOW - 60, NOW]
    got = predict(times, [1e12, 2.0, 3.0], NOW, HOUR, 60)
    assert got == pytest.approx(4.0)


def test_predict_needs_two_samples():
    assert predict([NOW], [3 * GB], NOW, HOUR, HOUR) is None


# -- week_over_week ------------------------------------------------------------------------------


def test_week_over_week_compares_window_means():
    times = [NOW - 10, NOW - 20, NOW - WEEK - 10, NOW - WEEK - 20, NOW - WEEK - 100, NOW - 100]
    values = [12.0, 18.0, 10.0, 10.0, 999.0, math.nan]
    got = week_over_week(times, values, NOW, 60)
    assert got is not None
    assert got.current_mean == pytest.approx(15.0)
    assert got.previous_mean == pytest.approx(10.0)
    assert got.change == pytest.approx(5.0)
    assert got.change_percent == pytest.approx(50.0)


def test_week_over_week_percent_is_relative_to_the_size_of_a_negative_mean():
    got = week_over_week([NOW, NOW - WEEK], [-5.0, -10.0], NOW, 60)
    assert got is not None
    assert got.change == pytest.approx(5.0)
    assert got.change_percent == pytest.approx(50.0)


def test_week_over_week_has_no_percent_from_zero():
    got = week_over_week([NOW, NOW - WEEK], [4.0, 0.0], NOW, 60)
    assert got is not None
    assert got.change == pytest.approx(4.0)
    assert got.change_percent is None


@pytest.mark.parametrize(
    ("times", "values"),
    [
        ([NOW], [1.0]),
        ([NOW - WEEK], [1.0]),
        ([NOW, NOW - WEEK], [1.0, math.nan]),
    ],
    ids=["no-previous", "no-current", "previous-not-finite"],
)
def test_week_over_week_needs_samples_in_both_windows(times, values):
    assert week_over_week(times, values, NOW, 60) is None


def test_a_line_read_back_far_from_zero_time_is_within_the_rounding_of_its_times():
    """The example hypothesis found: times near 2**30, values 0, 1, 60."""
    base = 1073741804.0
    fit = linear_fit([base, base + 1, base + 60], [0.0, 1.0, 60.0])
    assert fit is not None
    assert fit.value_at(base) == pytest.approx(0.0, abs=1e-9 * 61 + 4 * math.ulp(base + 60))
