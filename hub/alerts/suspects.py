"""The series that might break a plain threshold, kept up to date as samples are written, so
evaluating an agent's batch can tell it is quiet without walking every series of its metrics.

Only the quick check of ``MetricPlan.all_fine`` is tracked: a series is a suspect when its
newest sample is not ``all_fine``. The set may hold more than that (a sample written with its
labels in another order, a late sample), never less, so a quiet answer is always right and a
wrong "maybe" only costs a full evaluation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from hub.alerts.plan import MetricPlan
from hub.domain.samples import Sample

_Key = tuple[tuple[str, str], ...]


class Suspects:
    """Per rule metric, the series whose newest sample is not ``all_fine``, by label items."""

    def __init__(self, plans: Mapping[str, MetricPlan], newest: Mapping[str, Sequence[Sample]]):
        """Start from the newest samples of the rules' metrics (``TSDB.latest_by_metric``)."""
        self._plans = plans
        self._suspects: dict[str, dict[_Key, Sample]] = {}
        for metric, samples in newest.items():
            plan = plans.get(metric)
            if plan is None or plan.all_fine_all([s.value for s in samples]):
                continue
            self._suspects[metric] = {
                tuple(s.labels.items()): s for s in samples if not plan.all_fine(s.value)
            }

    def note(self, samples: Iterable[Sample]) -> None:
        """Take in samples just written (stored, or kept in memory when the store cannot)."""
        plans = self._plans
        for sample in samples:
            plan = plans.get(sample.name)
            if plan is None:
                continue
            group = self._suspects.get(sample.name)
            if plan.all_fine(sample.value):
                if group:
                    key = tuple(sample.labels.items())
                    current = group.get(key)
                    if current is not None and current.time <= sample.time:
                        del group[key]
                continue
            if group is None:
                group = self._suspects[sample.name] = {}
            key = tuple(sample.labels.items())
            current = group.get(key)
            if current is None or current.time <= sample.time:
                group[key] = sample

    def any_fresh(self, metric: str, since: float) -> bool:
        """Whether a suspect of ``metric`` has its sample at or after ``since``."""
        return any(s.time >= since for s in self._suspects.get(metric, {}).values())
