"""RecentSamples: the per-series windows of rules that aggregate or predict."""

from __future__ import annotations

from hub.alerts.recent import RecentSamples


def test_window_keeps_only_span_seconds_of_a_series() -> None:
    recent = RecentSamples(span=60)
    for t in range(0, 200, 10):
        recent.add("a", float(t), float(t))
    assert [t for t, _ in recent.points("a", since=0)] == [
        130.0,
        140.0,
        150.0,
        160.0,
        170.0,
        180.0,
        190.0,
    ]
    recent.add("a", 150.0, 0.0)  # not newer than the last: ignored
    assert recent.points("a", since=185)[-1] == (190.0, 190.0)


def test_sweep_forgets_series_that_stopped_reporting() -> None:
    recent = RecentSamples(span=60)
    recent.add("gone", 0.0, 1.0)
    recent.add("kept", 0.0, 1.0)
    recent.add("kept", 100.0, 2.0)
    assert recent.sweep(120.0) == 1
    assert len(recent) == 1
    assert recent.points("kept", since=0) == [(100.0, 2.0)]
    assert recent.points("gone", since=0) == []


def test_sweep_walks_the_series_at_most_once_per_span() -> None:
    recent = RecentSamples(span=60)
    recent.add("a", 0.0, 1.0)
    assert recent.sweep(30.0) == 0  # still inside its window
    recent.add("b", 31.0, 1.0)
    assert recent.sweep(70.0) == 0  # a sweep ran 40 s ago: not yet
    assert recent.sweep(95.0) == 2  # both older than 95 - 60
    assert len(recent) == 0
