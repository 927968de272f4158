"""Recent samples per series, kept in memory for rules that look at a window of history."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable

from hub.domain.rules import Aggregation, Rule
from hub.domain.samples import Sample
from hub.rules.aggregate import aggregate
from hub.tsdb.trends import predict


class RecentSamples:
    """A sliding window of (time, value) per series key, as long as the longest rule needs.

    Fed with every evaluation's newest samples (a repeat of the last time is ignored); seeded
    from the store at start so windows are full straight after a restart."""

    def __init__(self, span: float) -> None:
        self.span = span
        """Seconds of history kept per series."""
        self._points: dict[str, deque[tuple[float, float]]] = {}
        self._swept_at = float("-inf")

    def add(self, key: str, time: float, value: float) -> None:
        """Append a sample of series ``key`` unless it is not newer than the last one."""
        points = self._points.get(key)
        if points is None:
            points = self._points[key] = deque()
        elif points and time <= points[-1][0]:
            return
        points.append((time, value))
        while points and points[0][0] < time - self.span:
            points.popleft()

    def extend(self, key: str, times: Iterable[float], values: Iterable[float]) -> None:
        """Add many samples of one series, oldest first."""
        for time, value in zip(times, values, strict=True):
            self.add(key, time, value)

    def sweep(self, now: float) -> int:
        """Forget series with no sample in the last ``span`` seconds (a removed container, a
        renamed service): their windows are empty anyway, and without this the keys of every
        series ever seen would stay in memory. Walks all series at most once per ``span``;
        returns how many were forgotten."""
        if now - self._swept_at < self.span:
            return 0
        self._swept_at = now
        horizon = now - self.span
        gone = [
            key for key, points in self._points.items() if not points or points[-1][0] < horizon
        ]
        for key in gone:
            del self._points[key]
        return len(gone)

    def __len__(self) -> int:
        """How many series have a window."""
        return len(self._points)

    def points(self, key: str, since: float) -> list[tuple[float, float]]:
        """The samples of ``key`` at or after ``since``, oldest first."""
        return [p for p in self._points.get(key, ()) if p[0] >= since]


def rule_value(
    rule: Rule, sample: Sample, recent: RecentSamples, key: Callable[[Sample], str], now: float
) -> float | None:
    """The value ``rule`` compares for the series whose newest sample is ``sample``.

    The sample itself for a plain rule, the aggregation over the rule's window, or the value
    predicted ``horizon`` ahead by a line fitted over the prediction window."""
    if rule.predict is not None:
        points = recent.points(key(sample), now - rule.predict.window)
        times = [t for t, _ in points]
        values = [v for _, v in points]
        return predict(times, values, now, rule.predict.window, rule.predict.horizon)
    if rule.window <= 0 or rule.aggregate is Aggregation.LAST:
        return sample.value
    return aggregate(rule.aggregate, recent.points(key(sample), now - rule.window))
