"""Pure rule evaluation with an injected clock (ALERTING-SEMANTICS behaviours 1–3)."""

from datetime import timedelta

from hub.domain.alerts import AlertState, AlertStatus
from hub.domain.rules import Operator, Rule, Severity
from hub.domain.samples import Sample
from hub.rules.evaluate import alert_labels, evaluate

CPU_HIGH = Rule("cpu_high", "cpu_usage", 80, Operator.GT, 300, Severity.WARNING, "CPU high")
DOWN = Rule("service_down", "service_health", 0, Operator.LE, 0, Severity.CRITICAL, "down")


def window(value, clock):
    return [Sample("cpu_usage", {"host": "h"}, value, clock.now().timestamp())]


def run(rule, values, clock, step=60):
    """Feed one value per step; returns the state after each evaluation."""
    status, states = None, []
    for value in values:
        samples = [] if value is None else window(value, clock)
        t = evaluate(rule, {"host": "h"}, samples, status, clock.now())
        if t is not None:
            status = None if t.to_state is None else AlertStatus(t.to_state, t.active_at)
        states.append(status.state if status else None)
        clock.advance(step)
    return states


def test_for_5m_goes_pending_then_fires_at_exactly_5m(clock):
    states = run(CPU_HIGH, [90] * 6, clock)
    assert states == [AlertState.PENDING] * 5 + [AlertState.FIRING]


def test_one_false_evaluation_deletes_pending_and_restarts_active_at(clock):
    states = run(CPU_HIGH, [90, 90, 90, 50, 90, 90, 90, 90, 90, 90], clock)
    assert states[3] is None
    assert states[4:9] == [AlertState.PENDING] * 5
    assert states[9] is AlertState.FIRING


def test_for_zero_fires_on_first_true_evaluation(clock):
    rule = Rule("cpu", "cpu_usage", 80, Operator.GT, 0, Severity.WARNING, "")
    assert run(rule, [81], clock) == [AlertState.FIRING]


def test_pending_alert_that_clears_is_forgotten_without_resolution(clock):
    first = evaluate(CPU_HIGH, {}, window(90, clock), None, clock.now())
    assert first is not None and first.to_state is AlertState.PENDING
    clock.advance(60)
    cleared = evaluate(
        CPU_HIGH,
        {},
        window(10, clock),
        AlertStatus(AlertState.PENDING, first.active_at),
        clock.now(),
    )
    assert cleared is not None
    assert cleared.to_state is None


def test_firing_alert_resolves_when_condition_is_false_or_data_stops(clock):
    active = clock.now() - timedelta(minutes=10)
    for state in (AlertState.FIRING, AlertState.ACKNOWLEDGED):
        status = AlertStatus(state, active)
        low = evaluate(CPU_HIGH, {}, window(10, clock), status, clock.now())
        gone = evaluate(CPU_HIGH, {}, [], status, clock.now())
        assert low is not None and low.to_state is AlertState.RESOLVED
        assert gone is not None and gone.to_state is AlertState.RESOLVED
        assert low.from_state is state


def test_firing_or_acknowledged_alert_stays_while_condition_holds(clock):
    active = clock.now() - timedelta(minutes=10)
    for state in (AlertState.FIRING, AlertState.ACKNOWLEDGED):
        assert (
            evaluate(CPU_HIGH, {}, window(99, clock), AlertStatus(state, active), clock.now())
            is None
        )


def test_resolved_alert_fires_again_as_a_new_pending(clock):
    status = AlertStatus(AlertState.RESOLVED, clock.now() - timedelta(hours=1))
    t = evaluate(CPU_HIGH, {}, window(95, clock), status, clock.now())
    assert t is not None and t.to_state is AlertState.PENDING
    assert t.active_at == clock.now()


def test_no_alert_and_no_problem_means_no_transition(clock):
    assert evaluate(CPU_HIGH, {}, window(10, clock), None, clock.now()) is None
    assert evaluate(CPU_HIGH, {}, [], None, clock.now()) is None


def test_service_down_fires_when_health_is_zero_not_one(clock):
    up = [Sample("service_health", {"service": "api"}, 1, 0)]
    down = [Sample("service_health", {"service": "api"}, 0, 0)]
    assert evaluate(DOWN, {}, up, None, clock.now()) is None
    fired = evaluate(DOWN, {}, down, None, clock.now())
    assert fired is not None and fired.to_state is AlertState.FIRING


def test_only_the_newest_sample_of_the_window_counts(clock):
    samples = [Sample("cpu_usage", {}, 99, 0), Sample("cpu_usage", {}, 10, 1)]
    assert evaluate(CPU_HIGH, {}, samples, None, clock.now()) is None


def test_alert_labels_carry_series_rule_alertname_and_severity():
    rule = Rule("r", "m", 1, Operator.GT, 0, Severity.CRITICAL, "", labels={"team": "ops"})
    assert alert_labels(rule, {"host": "a"}) == {
        "host": "a",
        "team": "ops",
        "alertname": "r",
        "severity": "critical",
    }


def test_operators_compare_as_written():
    assert Operator.GT.holds(2, 1) and not Operator.GT.holds(1, 1)
    assert Operator.GE.holds(1, 1) and Operator.LT.holds(0, 1) and Operator.LE.holds(1, 1)
    assert Operator.EQ.holds(1, 1) and Operator.NE.holds(0, 1)
