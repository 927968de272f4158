"""Prometheus exposition text turned into the series the hub stores (pure).

* gauges (and untyped series) are stored as they are;
* a counter ``X_total`` (or ``X``) becomes ``X_rate``, its per-second increase between two
  scrapes; a drop (the target restarted) gives no rate for that step;
* a histogram ``X`` becomes ``X{quantile="0.5"|"0.9"|"0.99"}`` computed from the bucket
  increases between two scrapes with the linear interpolation of PromQL's
  ``histogram_quantile``, plus ``X_count_rate`` (observations per second) and ``X_avg``
  (increase of ``X_sum`` over increase of ``X_count``);
* a summary ``X`` keeps its quantiles as gauges, plus ``X_count_rate`` and ``X_avg``.

Non-finite values (NaN, ±Inf) are not stored. ``X_created`` series that belong to a counter,
histogram or summary ``X`` are skipped.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Sequence

import msgspec
from prometheus_client.metrics_core import Metric
from prometheus_client.openmetrics.parser import (
    text_string_to_metric_families as openmetrics_families,
)
from prometheus_client.parser import text_string_to_metric_families

QUANTILES = (0.5, 0.9, 0.99)
"""Quantiles estimated from each histogram."""

LabelKey = tuple[tuple[str, str], ...]
SeriesKey = tuple[str, LabelKey]
"""A metric name and its labels, sorted: hashable series identity."""

_CUMULATIVE_TYPES = frozenset({"counter", "histogram", "summary"})


class Point(msgspec.Struct, frozen=True):
    """One derived value: a stored metric name, its labels and the value."""

    name: str
    labels: dict[str, str]
    value: float


class Totals(msgspec.Struct, frozen=True):
    """A histogram's or summary's cumulative counts in one scrape (a summary has no buckets)."""

    buckets: tuple[tuple[float, float], ...]
    """``(upper bound, cumulative count)`` sorted by bound, the last one +Inf."""
    count: float
    sum: float


class Reading(msgspec.Struct, frozen=True):
    """One scrape, parsed: what is stored at once, and the cumulative values rates need."""

    time: float
    gauges: list[Point]
    counters: dict[SeriesKey, float]
    """Keyed by the stored name (``X_rate``) and labels."""
    totals: dict[SeriesKey, Totals]
    """Keyed by the family name and labels (without ``le``/``quantile``)."""


def parse_exposition(text: str, time: float, openmetrics: bool = False) -> Reading:
    """Parse a target's /metrics answer taken at Unix ``time``.

    Raises:
        ValueError: the text is not valid exposition format.
    """
    parse = openmetrics_families if openmetrics else text_string_to_metric_families
    families = list(parse(text))
    cumulative = {f.name for f in families if f.type in _CUMULATIVE_TYPES}
    gauges: list[Point] = []
    counters: dict[SeriesKey, float] = {}
    totals: dict[SeriesKey, Totals] = {}
    for family in families:
        if family.type == "counter":
            counters.update(_counter(family))
        elif family.type in ("histogram", "summary"):
            totals.update(_totals(family))
            if family.type == "summary":
                gauges.extend(
                    Point(s.name, dict(s.labels), s.value)
                    for s in family.samples
                    if s.name == family.name and math.isfinite(s.value)
                )
        elif not (family.name.endswith("_created") and family.name[:-8] in cumulative):
            gauges.extend(_gauge(family))
    return Reading(time, gauges, counters, totals)


def derive(reading: Reading, previous: Reading | None) -> list[Point]:
    """The series to store for ``reading``: gauges always; rates, averages and histogram
    quantiles when ``previous`` is an earlier scrape of the same target."""
    out = list(reading.gauges)
    if previous is None or reading.time <= previous.time:
        return out
    elapsed = reading.time - previous.time
    for (name, labels), value in reading.counters.items():
        before = previous.counters.get((name, labels))
        if before is not None and value >= before:
            out.append(Point(name, dict(labels), (value - before) / elapsed))
    for (name, labels), now in reading.totals.items():
        before_totals = previous.totals.get((name, labels))
        if before_totals is not None:
            out.extend(_from_totals(name, dict(labels), now, before_totals, elapsed))
    return out


def histogram_quantile(q: float, buckets: Sequence[tuple[float, float]]) -> float | None:
    """The ``q``-quantile (0 < q < 1) of cumulative ``(upper bound, count)`` buckets sorted by
    bound and ending with +Inf, interpolated linearly within its bucket like PromQL's
    ``histogram_quantile``; None without observations or without a +Inf bucket.

    See https://github.com/prometheus/prometheus/blob/main/promql/quantile.go (bucketQuantile).
    """
    if len(buckets) < 2 or buckets[-1][0] != math.inf or buckets[-1][1] <= 0:
        return None
    counts = _monotonic([count for _, count in buckets])
    rank = q * counts[-1]
    index = bisect.bisect_left(counts, rank, hi=len(counts) - 1)
    if index == len(buckets) - 1:  # in the +Inf bucket: the highest finite bound
        return buckets[-2][0]
    end = buckets[index][0]
    if index == 0:
        if end <= 0:
            return end
        start, below = 0.0, 0.0
    else:
        start, below = buckets[index - 1][0], counts[index - 1]
    return start + (end - start) * (rank - below) / (counts[index] - below)


def _counter(family: Metric) -> Iterable[tuple[SeriesKey, float]]:
    for s in family.samples:
        if not s.name.endswith("_created") and math.isfinite(s.value):
            yield (f"{family.name}_rate", _key(s.labels)), s.value


def _gauge(family: Metric) -> Iterable[Point]:
    for s in family.samples:
        if math.isfinite(s.value):
            yield Point(s.name, dict(s.labels), s.value)


def _totals(family: Metric) -> dict[SeriesKey, Totals]:
    buckets: dict[LabelKey, list[tuple[float, float]]] = {}
    counts: dict[LabelKey, float] = {}
    sums: dict[LabelKey, float] = {}
    for s in family.samples:
        suffix = s.name[len(family.name) :]
        if suffix == "_bucket":
            labels = {k: v for k, v in s.labels.items() if k != "le"}
            buckets.setdefault(_key(labels), []).append((float(s.labels["le"]), s.value))
        elif suffix == "_count":
            counts[_key(s.labels)] = s.value
        elif suffix == "_sum":
            sums[_key(s.labels)] = s.value
    return {
        (family.name, labels): Totals(
            tuple(sorted(buckets.get(labels, ()))), count, sums.get(labels, math.nan)
        )
        for labels, count in counts.items()
    }


def _from_totals(
    name: str, labels: dict[str, str], now: Totals, before: Totals, elapsed: float
) -> list[Point]:
    observed = now.count - before.count
    if observed < 0:  # the target restarted
        return []
    out = [Point(f"{name}_count_rate", labels, observed / elapsed)]
    average = (now.sum - before.sum) / observed if observed else math.nan
    if math.isfinite(average):
        out.append(Point(f"{name}_avg", labels, average))
    bounds = [bound for bound, _ in now.buckets]
    if not bounds or bounds != [bound for bound, _ in before.buckets]:
        return out
    increase = [(b, c - c0) for (b, c), (_, c0) in zip(now.buckets, before.buckets, strict=True)]
    if any(count < 0 for _, count in increase):
        return out
    for q in QUANTILES:
        value = histogram_quantile(q, increase)
        if value is not None:
            out.append(Point(name, {**labels, "quantile": f"{q:g}"}, value))
    return out


def _monotonic(counts: list[float]) -> list[float]:
    """Cumulative counts made non-decreasing, as PromQL does for precision glitches."""
    out: list[float] = []
    for count in counts:
        out.append(max(count, out[-1]) if out else count)
    return out


def _key(labels: dict[str, str]) -> LabelKey:
    return tuple(sorted(labels.items()))
