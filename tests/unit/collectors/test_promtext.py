"""Exposition text to stored series: gauges, counter rates, histogram quantiles, summaries."""

import math

import pytest

from hub.collectors.promtext import Point, derive, histogram_quantile, parse_exposition

INF = math.inf


def points(text_before: str, text_after: str, seconds: float = 10.0) -> dict:
    before = parse_exposition(text_before, 1000.0)
    after = parse_exposition(text_after, 1000.0 + seconds)
    return {(p.name, tuple(sorted(p.labels.items()))): p.value for p in derive(after, before)}


@pytest.mark.parametrize(
    ("q", "buckets", "expected"),
    [
        # rank 5 of 10 falls in (0.1, 0.5], which holds observations 5 to 10
        (0.5, [(0.1, 4), (0.5, 10), (INF, 10)], 0.1 + 0.4 * (5 - 4) / (10 - 4)),
        # the first bucket starts at 0
        (0.5, [(1.0, 10), (2.0, 10), (INF, 10)], 0.5),
        # in the +Inf bucket: the highest finite bound
        (0.99, [(1.0, 5), (2.0, 5), (INF, 10)], 2.0),
        # a first bucket with a bound <= 0 answers its bound
        (0.5, [(-1.0, 10), (0.0, 10), (INF, 10)], -1.0),
        (0.9, [(0.1, 0), (0.5, 2), (1.0, 3), (INF, 3)], 0.5 + 0.5 * (2.7 - 2) / (3 - 2)),
        # counts that dip by a rounding glitch are made monotonic first, as PromQL does
        (0.875, [(1.0, 2), (2.0, 6), (3.0, 5.5), (4.0, 8), (INF, 8)], 3.0 + (7 - 6) / (8 - 6)),
    ],
)
def test_histogram_quantile_interpolates_like_promql(q, buckets, expected):
    assert histogram_quantile(q, buckets) == pytest.approx(expected)


@pytest.mark.parametrize(
    "buckets",
    [
        [(1.0, 0), (INF, 0)],  # nothing observed
        [(1.0, 3), (2.0, 5)],  # no +Inf bucket
        [(INF, 3)],  # one bucket only
    ],
)
def test_histogram_quantile_is_none_when_it_cannot_be_known(buckets):
    assert histogram_quantile(0.5, buckets) is None


def test_gauges_are_stored_at_once_and_counters_only_from_the_second_scrape():
    text = '# TYPE temp gauge\ntemp{room="a"} 21.5\n# TYPE hits_total counter\nhits_total 7\n'
    first = derive(parse_exposition(text, 1000.0), None)
    assert first == [Point("temp", {"room": "a"}, 21.5)]


def test_counter_rate_is_the_increase_per_second_named_with_rate():
    before = '# TYPE hits_total counter\nhits_total{path="/"} 100\n# TYPE raw counter\nraw 5\n'
    after = '# TYPE hits_total counter\nhits_total{path="/"} 130\n# TYPE raw counter\nraw 25\n'
    assert points(before, after, seconds=10) == {
        ("hits_rate", (("path", "/"),)): 3.0,
        ("raw_rate", ()): 2.0,
    }


def test_a_counter_that_went_down_gives_no_rate_for_that_step():
    before = "# TYPE hits_total counter\nhits_total 100\n"
    assert points(before, "# TYPE hits_total counter\nhits_total 4\n") == {}


def test_no_rate_when_no_time_passed():
    text = "# TYPE hits_total counter\nhits_total 1\n"
    same = parse_exposition(text, 5.0)
    assert derive(same, same) == []


HISTOGRAM = """# TYPE latency_seconds histogram
latency_seconds_bucket{path="/",le="0.1"} {b1}
latency_seconds_bucket{path="/",le="0.5"} {b2}
latency_seconds_bucket{path="/",le="+Inf"} {b3}
latency_seconds_count{path="/"} {b3}
latency_seconds_sum{path="/"} {s}
# TYPE latency_seconds_created gauge
latency_seconds_created{path="/"} 1.7e9
"""


def histogram(b1, b2, b3, s):
    return (
        HISTOGRAM.replace("{b1}", str(b1))
        .replace("{b2}", str(b2))
        .replace("{b3}", str(b3))
        .replace("{s}", str(s))
    )


def test_histogram_quantiles_come_from_the_bucket_increases_between_scrapes():
    # 100 fast requests long ago; in the last 10 s: 2 under 0.1 s, 8 in (0.1, 0.5].
    got = points(histogram(100, 100, 100, 1.0), histogram(102, 110, 110, 4.0), seconds=10)
    path = ("path", "/")
    assert got[("latency_seconds_count_rate", (path,))] == pytest.approx(1.0)
    assert got[("latency_seconds_avg", (path,))] == pytest.approx(0.3)
    assert got[("latency_seconds", (path, ("quantile", "0.5")))] == pytest.approx(
        0.1 + 0.4 * (5 - 2) / 8
    )
    assert got[("latency_seconds", (path, ("quantile", "0.9")))] == pytest.approx(
        0.1 + 0.4 * (9 - 2) / 8
    )
    assert ("latency_seconds", (path, ("quantile", "0.99"))) in got
    # the _created gauge that belongs to the histogram is not a series of its own
    assert not [k for k in got if "created" in k[0]]


def test_histogram_without_new_observations_has_a_rate_of_zero_and_no_quantiles():
    got = points(histogram(1, 2, 3, 1.0), histogram(1, 2, 3, 1.0))
    assert got == {("latency_seconds_count_rate", (("path", "/"),)): 0.0}


def test_histogram_reset_gives_nothing_for_that_step():
    assert points(histogram(10, 20, 30, 9.0), histogram(1, 1, 1, 0.1)) == {}


def test_summary_quantiles_are_gauges_with_count_rate_and_average():
    summary = (
        "# TYPE rpc_seconds summary\n"
        'rpc_seconds{{quantile="0.5"}} {q}\nrpc_seconds_count {c}\nrpc_seconds_sum {s}\n'
    )
    got = points(summary.format(q=0.2, c=10, s=2), summary.format(q=0.25, c=30, s=8), seconds=4)
    assert got == {
        ("rpc_seconds", (("quantile", "0.5"),)): 0.25,
        ("rpc_seconds_count_rate", ()): 5.0,
        ("rpc_seconds_avg", ()): 0.3,
    }


def test_untyped_series_are_gauges_and_non_finite_values_are_not_stored():
    text = "plain 3\nnan_gauge NaN\n# TYPE inf gauge\ninf +Inf\n"
    assert derive(parse_exposition(text, 1.0), None) == [Point("plain", {}, 3.0)]


def test_a_gauge_named_like_created_is_kept_when_no_counter_owns_it():
    text = "# TYPE job_created gauge\njob_created 5\n"
    assert derive(parse_exposition(text, 1.0), None) == [Point("job_created", {}, 5.0)]


def test_openmetrics_text_is_parsed_with_the_openmetrics_parser():
    text = "# TYPE hits counter\nhits_total 1\nhits_created 1.7e9\n# EOF\n"
    later = "# TYPE hits counter\nhits_total 21\nhits_created 1.7e9\n# EOF\n"
    before = parse_exposition(text, 0.0, openmetrics=True)
    after = parse_exposition(later, 10.0, openmetrics=True)
    assert derive(after, before) == [Point("hits_rate", {}, 2.0)]


@pytest.mark.parametrize("text", ["metric{ 1\n", "# TYPE x gauge\nx one\n"])
def test_malformed_text_raises_value_error(text):
    with pytest.raises(ValueError):  # noqa: PT011 - the parser's messages vary
        parse_exposition(text, 0.0)
