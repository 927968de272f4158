"""How evaluation walks the rules: per metric, a quick check lets a whole series skip the plain
threshold rules it cannot break, so 1000 rules over 10,000 series stay cheap."""

from __future__ import annotations

from collections.abc import Iterable

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
    upward_floor: float | None = None
    """Lowest threshold of the simple ``>``/``>=`` rules (a value below it breaks none)."""
    downward_ceiling: float | None = None
    """Highest threshold of the simple ``<``/``<=`` rules (a value above it breaks none)."""

    def all_fine(self, value: float) -> bool:
        """Whether ``value`` is strictly clear of every simple rule's least severe threshold."""
        up, down = self.upward_floor, self.downward_ceiling
        return (up is None or value < up) and (down is None or value > down)


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
    up = [r.effective_levels[0].threshold for r in simple if r.operator in _UPWARD]
    down = [r.effective_levels[0].threshold for r in simple if r.operator in _DOWNWARD]
    return MetricPlan(
        simple=simple,
        general=tuple(r for r in rules if not is_simple(r) and r.absent is None),
        absent=tuple(r for r in rules if r.absent is not None),
        upward_floor=min(up) if up else None,
        downward_ceiling=max(down) if down else None,
    )
