"""The quick check that lets a series skip the plain threshold rules it cannot break."""

import pytest

from hub.alerts.plan import plan_rules
from hub.rules.evaluate import breaches
from hub.rules.parse import parse_rules_text


def _plan(operator: str, threshold: float = 0.0):
    rules = parse_rules_text(
        f"alerts:\n  r:\n    metric: m\n    threshold: {threshold}\n    operator: '{operator}'\n"
    )
    return rules[0], plan_rules(rules)["m"]


@pytest.mark.parametrize("operator", [">", "<"])
def test_a_value_equal_to_a_strict_threshold_is_fine(operator):
    rule, plan = _plan(operator)
    assert not breaches(rule, 0.0)
    assert plan.all_fine(0.0)  # hub_job_overdue > 0 at 0: every healthy job, every minute


@pytest.mark.parametrize("operator", [">=", "<="])
def test_a_value_equal_to_an_inclusive_threshold_is_not_fine(operator):
    rule, plan = _plan(operator)
    assert breaches(rule, 0.0)
    assert not plan.all_fine(0.0)


@pytest.mark.parametrize("operator", [">", ">=", "<", "<="])
@pytest.mark.parametrize("value", [-1.0, -1e-9, 0.0, 1e-9, 1.0, float("nan")])
def test_all_fine_never_hides_a_breach(operator, value):
    rule, plan = _plan(operator)
    if breaches(rule, value) or value != value:  # NaN: evaluated rather than skipped
        assert not plan.all_fine(value)
    else:
        assert plan.all_fine(value)


def _four_kinds():
    """The plan of one metric with a rule of each operator."""
    rules = parse_rules_text(
        "alerts:\n"
        "  strict: {metric: m, threshold: 5, operator: '>'}\n"
        "  inclusive: {metric: m, threshold: 7, operator: '>='}\n"
        "  low: {metric: m, threshold: -3, operator: '<'}\n"
        "  lower: {metric: m, threshold: -5, operator: '<='}\n"
    )
    return plan_rules(rules)["m"]


def test_the_least_severe_threshold_of_each_kind_decides():
    plan = _four_kinds()
    assert [plan.all_fine(v) for v in (5.0, 5.5, 7.0, -3.0, -3.5, -5.0)] == [
        True,
        False,
        False,
        True,
        False,
        False,
    ]


_NAN, _INF = float("nan"), float("inf")


@pytest.mark.parametrize(
    "values",
    [
        [],
        [0.0],
        [1.0, 2.0, 4.0],
        [-4.0, 1.0, 2.0],
        [1.0, 9.0, 2.0],
        [1.0, _NAN],  # max() keeps 1.0 here: a NaN must still be seen
        [_NAN, 1.0],
        [2.0, _NAN, 3.0],
        [1.0, _INF],
        [-_INF, 1.0],
        [-_INF, _INF, 1.0],  # their sum is NaN: checked one by one
        [5.0, 5.0, -3.0],
        [7.0, 1.0],
        [-5.0, 1.0],
    ],
)
def test_all_fine_all_agrees_with_all_fine_of_each_value(values):
    plan = _four_kinds()
    assert plan.all_fine_all(values) == all(map(plan.all_fine, values))
    for operator in (">", ">=", "<", "<="):
        _, single = _plan(operator, 2.0)
        assert single.all_fine_all(values) == all(map(single.all_fine, values))
