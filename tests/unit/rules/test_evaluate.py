"""Pure rule evaluation with an injected clock (ALERTING-SEMANTICS behaviours 1–5, 7, 9)."""

from datetime import timedelta

import msgspec

from hub.domain.alerts import AlertState, AlertStatus
from hub.domain.rules import Level, NoData, Operator, Rule, Severity
from hub.rules.evaluate import alert_labels, evaluate

CPU_HIGH = Rule("cpu_high", "cpu_usage", 80, Operator.GT, 300, Severity.WARNING, "CPU high")
DOWN = Rule("service_down", "service_health", 0, Operator.LE, 0, Severity.CRITICAL, "down")
FIRING, PENDING, RESOLVED = AlertState.FIRING, AlertState.PENDING, AlertState.RESOLVED


def rule(**changes) -> Rule:
    return msgspec.structs.replace(
        Rule("r", "cpu_usage", 90, Operator.GT, 0, Severity.WARNING, ""), **changes
    )


def run(rule, values, clock, step=60, status=None):
    """Feed one value per step (None: no data); returns the state after each evaluation."""
    states = []
    for value in values:
        status, _ = evaluate(rule, {"host": "h"}, value, status, clock.now())
        states.append(status.state if status else None)
        clock.advance(step)
    return states


def test_1_for_5m_goes_pending_then_fires_at_exactly_5m(clock):
    assert run(CPU_HIGH, [90] * 6, clock) == [PENDING] * 5 + [FIRING]


def test_1_one_false_evaluation_deletes_pending_and_restarts_active_at(clock):
    states = run(CPU_HIGH, [90, 90, 90, 50, 90, 90, 90, 90, 90, 90], clock)
    assert states[3] is None
    assert states[4:9] == [PENDING] * 5
    assert states[9] is FIRING


def test_2_for_zero_fires_on_first_true_evaluation(clock):
    assert run(rule(threshold=80), [81], clock) == [FIRING]


def test_3_pending_alert_that_clears_is_forgotten_without_resolution(clock):
    status, first = evaluate(CPU_HIGH, {}, 90, None, clock.now())
    assert first is not None and first.to_state is PENDING
    clock.advance(60)
    status, cleared = evaluate(CPU_HIGH, {}, 10, status, clock.now())
    assert status is None
    assert cleared is not None and cleared.to_state is None


def test_4_keep_firing_for_holds_two_minutes_and_a_true_value_resets_it(clock):
    keep = rule(keep_firing_for=120)
    # fire, false (keeps), true again (resets), false at 180 s: still firing at 240 s,
    # resolved at 300 s, 2 m after turning false
    states = run(keep, [95, 50, 95, 50, 50, 50], clock)
    assert states == [FIRING, FIRING, FIRING, FIRING, FIRING, None]
    assert run(rule(), [95, 50], clock) == [FIRING, None]


def test_5_recovery_threshold_91_85_79_85_is_firing_firing_resolved_ok(clock):
    hysteresis = rule(recover=80)
    transitions = []
    status = None
    for value in (91, 85, 79, 85):
        status, t = evaluate(hysteresis, {}, value, status, clock.now())
        transitions.append(t.to_state if t else "-")
        clock.advance(60)
    assert transitions == [FIRING, "-", RESOLVED, "-"]


def test_recovery_threshold_is_inclusive_at_its_value(clock):
    assert run(rule(recover=80), [91, 80, 79.9], clock) == [FIRING, FIRING, None]


def test_levels_fire_at_the_highest_breached_severity_and_change_while_firing(clock):
    levels = rule(
        threshold=80,
        levels=(Level(Severity.WARNING, 80), Level(Severity.CRITICAL, 95)),
    )
    status, t = evaluate(levels, {}, 85, None, clock.now())
    assert (t.to_state, t.severity) == (FIRING, Severity.WARNING)
    status, t = evaluate(levels, {}, 97, status, clock.now())
    assert (t.from_state, t.to_state, t.from_severity, t.severity) == (
        FIRING,
        FIRING,
        Severity.WARNING,
        Severity.CRITICAL,
    )
    status, t = evaluate(levels, {}, 96, status, clock.now())
    assert t is None
    status, t = evaluate(levels, {}, 50, status, clock.now())
    assert t.to_state is RESOLVED and status is None


def test_firing_or_acknowledged_alert_stays_while_condition_holds(clock):
    active = clock.now() - timedelta(minutes=10)
    for state in (FIRING, AlertState.ACKNOWLEDGED):
        status, t = evaluate(CPU_HIGH, {}, 99, AlertStatus(state, active), clock.now())
        assert t is None and status.state is state and status.clear_since is None
        low_status, low = evaluate(CPU_HIGH, {}, 10, AlertStatus(state, active), clock.now())
        assert low.to_state is RESOLVED and low.from_state is state and low_status is None


def test_7_absent_fires_after_its_window_and_resolves_on_the_first_sample(clock):
    absent = rule(absent=600, threshold=0)
    # the value of an absent rule is the seconds without data
    assert run(absent, [300, 599, 600, 660, 0], clock) == [None, None, FIRING, FIRING, None]


def test_9_keep_last_keeps_firing_through_a_gap(clock):
    assert run(rule(nodata=NoData.KEEP_LAST), [95, None, None, None, 95], clock) == [FIRING] * 5


def test_9_with_nodata_ok_a_series_missing_two_evaluations_resolves(clock):
    status, _ = evaluate(rule(), {}, 95, None, clock.now())
    status, t = evaluate(rule(), {}, None, status, clock.now())
    assert t is None and status.missing == 1
    status, t = evaluate(rule(), {}, None, status, clock.now())
    assert t.to_state is RESOLVED and status is None


def test_nodata_alerting_and_nodata_modes_fire_on_missing_data(clock):
    assert run(rule(nodata=NoData.ALERTING), [None], clock) == [FIRING]
    _, t = evaluate(rule(nodata=NoData.NODATA), {}, None, None, clock.now())
    assert t.to_state is FIRING and t.nodata and t.value is None
    assert run(rule(), [None, None], clock) == [None, None]


def test_resolved_alert_fires_again_as_a_new_pending(clock):
    status = AlertStatus(RESOLVED, clock.now() - timedelta(hours=1))
    _, t = evaluate(CPU_HIGH, {}, 95, status, clock.now())
    assert t is not None and t.to_state is PENDING
    assert t.active_at == clock.now()


def test_no_alert_and_no_problem_means_no_transition(clock):
    assert evaluate(CPU_HIGH, {}, 10, None, clock.now()) == (None, None)
    assert evaluate(CPU_HIGH, {}, None, None, clock.now()) == (None, None)


def test_service_down_fires_when_health_is_zero_not_one(clock):
    assert evaluate(DOWN, {}, 1, None, clock.now()) == (None, None)
    _, fired = evaluate(DOWN, {}, 0, None, clock.now())
    assert fired is not None and fired.to_state is FIRING
    assert fired.severity is Severity.CRITICAL


def test_alert_labels_carry_series_rule_labels_and_alertname():
    r = Rule("r", "m", 1, Operator.GT, 0, Severity.CRITICAL, "", labels={"team": "ops"})
    assert alert_labels(r, {"host": "a"}) == {"host": "a", "team": "ops", "alertname": "r"}


def test_operators_compare_as_written():
    assert Operator.GT.holds(2, 1) and not Operator.GT.holds(1, 1)
    assert Operator.GE.holds(1, 1) and Operator.LT.holds(0, 1) and Operator.LE.holds(1, 1)
    assert Operator.EQ.holds(1, 1) and Operator.NE.holds(0, 1)
    assert Operator.GT.inclusive is Operator.GE and Operator.EQ.inclusive is Operator.EQ


def test_6_restart_firing_alerts_stay_firing_without_a_new_for(clock):
    from hub.rules.evaluate import restore

    down, now = clock.now(), clock.now() + timedelta(minutes=30)
    firing = AlertStatus(FIRING, down - timedelta(hours=2))
    assert restore(CPU_HIGH, firing, down, now) == firing
    assert restore(CPU_HIGH, firing, down, now + timedelta(days=1)) == firing


def test_6_restart_pending_alerts_do_not_count_the_downtime(clock):
    from hub.rules.evaluate import restore

    slow = rule(duration=3600)  # for: 1h
    down = clock.now()
    pending = AlertStatus(PENDING, down - timedelta(minutes=20))  # 40 m left
    restored = restore(slow, pending, down, down + timedelta(minutes=15))
    assert restored.active_at == pending.active_at + timedelta(minutes=15)
    # it then fires 40 minutes after the restart, not 25
    start = down + timedelta(minutes=15)
    _, t = evaluate(slow, {}, 95, restored, start + timedelta(minutes=39))
    assert t is None
    _, t = evaluate(slow, {}, 95, restored, start + timedelta(minutes=40))
    assert t.to_state is FIRING


def test_6_restart_with_less_than_the_grace_left_fires_one_grace_after_start(clock):
    from hub.rules.evaluate import FOR_GRACE_PERIOD, restore

    slow = rule(duration=3600)
    down = clock.now()
    pending = AlertStatus(PENDING, down - timedelta(minutes=55))  # 5 m left < 10 m grace
    start = down + timedelta(minutes=5)
    restored = restore(slow, pending, down, start)
    fires_at = restored.active_at + timedelta(seconds=slow.duration)
    assert fires_at == start + timedelta(seconds=FOR_GRACE_PERIOD)


def test_6_restart_after_a_long_outage_or_with_a_short_for_starts_from_scratch(clock):
    from hub.rules.evaluate import restore

    down = clock.now()
    pending = AlertStatus(PENDING, down - timedelta(minutes=5))
    assert restore(rule(duration=3600), pending, down, down + timedelta(hours=2)) is None
    assert restore(CPU_HIGH, pending, down, down + timedelta(minutes=1)) is None  # for 5m < grace
