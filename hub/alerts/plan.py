"""How evaluation walks the rules: per metric, a quick check lets a whole series skip the plain
threshold rules it cannot break, so 1000 rules over 10,000 series stay cheap."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import msgspec

from hub.domain.rules import Aggregation, NoData, Operator, Rule

_UPWARD = (Operator.GT, Operator.GE)
_DOWNWARD = (Operator.LT, Operator.LE)


class MetricPlan(msgspec.Struct, frozen=True):
    """The rules of one metric, split by how they are evaluated."""

    simple: tuple[Rule, ...]
    """Plain thresholds (``< <= > >=`` on the newest sample, no matchers, recovery or
    no-data alerting): a series below all of them, without an alert, needs none of them."""
    general: tuple[Rule, ...]
    """Everything else, evaluated series by series."""
    absent: tuple[Rule, ...]
    """``absent`` rules, evaluated once each."""
    above: float | None = None
    """Lowest threshold of the simple ``>`` rules (a value at or below it breaks none)."""
    at_or_above: float | None = None
    """Lowest threshold of the simple ``>=`` rules (a value below it breaks none)."""
    below: float | None = None
    """Highest threshold of the simple ``<`` rules (a value at or above it breaks none)."""
    at_or_below: float | None = None
    """Highest threshold of the simple ``<=`` rules (a value above it breaks none)."""

    def all_fine(self, value: float) -> bool:
        """Whether ``value`` breaks none of the simple rules' least severe thresholds.

        A value equal to a ``>`` or ``<`` threshold breaks nothing: ``hub_job_overdue > 0``
        sees 0 for every healthy job, and taking that as a possible breach sent every
        evaluation of it through a transaction."""
        gt, ge, lt, le = self.above, self.at_or_above, self.below, self.at_or_below
        return (
            (gt is None or value <= gt)
            and (ge is None or value < ge)
            and (lt is None or value >= lt)
            and (le is None or value > le)
        )

    def all_fine_all(self, values: Sequence[float]) -> bool:
        """Whether every one of ``values`` is ``all_fine``, from their minimum and maximum
        (the thresholds are bounds: the largest value meets every upper bound iff all do,
        the smallest every lower one): ``min`` and ``max`` walk a list in C, where calling
        ``all_fine`` for each of an evaluation's thousands of series was a fifth of it. A
        NaN (no order) is never fine."""
        if not values:
            return True
        if math.isnan(sum(values)):  # a NaN, or +inf and -inf together: one by one
            return all(map(self.all_fine, values))
        return self.all_fine(max(values)) and self.all_fine(min(values))


def is_simple(rule: Rule) -> bool:
    """Whether ``rule`` is a plain threshold on the newest sample."""
    return (
        rule.absent is None
        and rule.predict is None
        and not rule.matchers
        and rule.recover is None
        and (rule.window <= 0 or rule.aggregate is Aggregation.LAST)
        and rule.nodata in (NoData.OK, NoData.KEEP_LAST)
        and rule.operator in (*_UPWARD, *_DOWNWARD)
    )


def plan_rules(rules: Iterable[Rule]) -> dict[str, MetricPlan]:
    """The evaluation plan of every metric the rules watch."""
    by_metric: dict[str, list[Rule]] = {}
    for rule in rules:
        by_metric.setdefault(rule.metric, []).append(rule)
    return {metric: _plan(group) for metric, group in by_metric.items()}


def _plan(rules: list[Rule]) -> MetricPlan:
    simple = tuple(r for r in rules if is_simple(r))

    def thresholds(operator: Operator) -> list[float]:
        return [r.effective_levels[0].threshold for r in simple if r.operator is operator]

    gt, ge = thresholds(Operator.GT), thresholds(Operator.GE)
    lt, le = thresholds(Operator.LT), thresholds(Operator.LE)
    return MetricPlan(
        simple=simple,
        general=tuple(r for r in rules if not is_simple(r) and r.absent is None),
        absent=tuple(r for r in rules if r.absent is not None),
        above=min(gt) if gt else None,
        at_or_above=min(ge) if ge else None,
        below=max(lt) if lt else None,
        at_or_below=max(le) if le else None,
    )
