"""Escalation policies and acknowledgement (behaviours 19, 20, 21 and the pure part of 22)."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.domain.rules import Severity
from hub.lib.durations import Seconds
from hub.lib.yamlconf import ConfigError, parse_yaml
from hub.notify.escalation import (
    AckResult,
    EscalationPolicy,
    EscalationStep,
    Phase,
    StepReason,
    due_steps,
    next_wakeup,
    on_ack,
    on_resolve,
    on_severity_change,
    on_silence,
    on_silence_end,
    on_unack,
    parse_escalation,
    select_policy,
    start,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)
MIN = 60
CHANNELS = ("push-alice", "push-bob", "slack-ops")


def at(minutes):
    return T0 + timedelta(minutes=minutes)


def policy(repeat=0, sticky=True, ack_timeout=None, **selection):
    return EscalationPolicy(
        name="oncall",
        steps=(
            EscalationStep(("push-alice",), Seconds(5 * MIN)),
            EscalationStep(("push-bob",), Seconds(10 * MIN)),
            EscalationStep(("slack-ops",), Seconds(15 * MIN)),
        ),
        repeat=repeat,
        sticky=sticky,
        ack_timeout=None if ack_timeout is None else Seconds(ack_timeout * MIN),
        **selection,
    )


def fired(p=None, severity=Severity.WARNING, when=0):
    return start(p or policy(), "fp-1", at(when), severity=severity)


def tick(state, minutes):
    state, actions = due_steps(state, at(minutes))
    return state, [(a.step, a.loop, a.channels[0]) for a in actions]


def test_behaviour_19_steps_follow_each_other_after_exactly_their_wait():
    state = fired()
    state, sent = tick(state, 0)
    assert sent == [(0, 0, "push-alice")]
    assert next_wakeup(state) == at(5)
    state, sent = tick(state, 4.99)
    assert sent == []
    state, sent = tick(state, 5)
    assert sent == [(1, 0, "push-bob")]
    state, sent = tick(state, 14.99)
    assert sent == []
    state, sent = tick(state, 15)
    assert sent == [(2, 0, "slack-ops")]
    state, sent = tick(state, 600)
    assert sent == []  # no repeat: the chain ran once
    assert next_wakeup(state) is None


def test_behaviour_19_the_chain_repeats_as_configured_then_stops():
    _, sent = tick(fired(policy(repeat=2)), 1000)
    assert sent == [(step, loop, ch) for loop in range(3) for step, ch in enumerate(CHANNELS)]


def test_behaviour_19_repeat_starts_after_the_last_steps_wait():
    state, _ = tick(fired(policy(repeat=1)), 15)
    assert next_wakeup(state) == at(30)
    _, sent = tick(state, 30)
    assert sent == [(0, 1, "push-alice")]


def test_behaviour_19_ack_stops_all_future_steps():
    state, _ = tick(fired(policy(repeat=9)), 5)
    state, result = on_ack(state, at(6), "alice")
    assert result is AckResult.ACKNOWLEDGED
    assert state.phase is Phase.ACKNOWLEDGED
    assert next_wakeup(state) is None
    _, sent = tick(state, 10_000)
    assert sent == []


def test_behaviour_19_resolve_cancels_pending_steps():
    state, _ = tick(fired(policy(repeat=9)), 0)
    state = on_resolve(state, at(1))
    assert next_wakeup(state) is None
    _, sent = tick(state, 10_000)
    assert sent == []


def test_silence_stops_escalation_and_its_end_restarts_from_the_first_step():
    state, _ = tick(fired(), 5)
    state = on_silence(state, at(6))
    assert tick(state, 100)[1] == []
    state = on_silence_end(state, at(100))
    state, actions = due_steps(state, at(100))
    assert [(a.step, a.reason, a.due_at) for a in actions] == [
        (0, StepReason.SILENCE_ENDED, at(100))
    ]


def test_a_late_call_returns_every_missed_step_at_its_own_due_time():
    _, actions = due_steps(fired(), at(20))
    assert [a.due_at for a in actions] == [at(0), at(5), at(15)]
    assert all(a.alert_key == "fp-1" and a.policy == "oncall" for a in actions)


def test_behaviour_20_ack_timeout_triggers_again_and_restarts_from_step_0():
    state, _ = tick(fired(policy(ack_timeout=30)), 5)
    state, _ = on_ack(state, at(6), "alice")
    assert next_wakeup(state) == at(36)
    state, sent = tick(state, 35.99)
    assert sent == [] and state.phase is Phase.ACKNOWLEDGED
    state, actions = due_steps(state, at(36))
    assert state.phase is Phase.TRIGGERED and state.ack is None
    [first] = actions
    assert (first.step, first.loop, first.due_at) == (0, 0, at(36))
    assert first.reason is StepReason.ACK_TIMEOUT
    assert first.renotify == "alice"  # the person who acked hears about it again
    state, sent = tick(state, 41)
    assert sent == [(1, 0, "push-bob")]


def test_behaviour_20_an_alert_resolved_before_the_ack_timeout_stays_quiet():
    state, _ = on_ack(tick(fired(policy(ack_timeout=30)), 0)[0], at(1), "alice")
    state = on_resolve(state, at(10))
    assert tick(state, 1000)[1] == []


def test_ack_timeout_true_means_pagerdutys_30_minutes():
    doc = parse_yaml(
        "escalation:\n  policies:\n    p:\n      ack_timeout: true\n"
        "      steps: [{notify: [ops]}]\n",
        "monitoring.yml",
    )
    [p] = parse_escalation(doc.data["escalation"], doc).policies
    assert p.ack_timeout == 30 * MIN


def test_ack_timeout_false_means_never():
    doc = parse_yaml(
        "escalation:\n  policies:\n    p:\n      ack_timeout: false\n"
        "      steps: [{notify: [ops]}]\n",
        "monitoring.yml",
    )
    [p] = parse_escalation(doc.data["escalation"], doc).policies
    assert p.ack_timeout is None


def test_behaviour_21_non_sticky_ack_is_cleared_when_warning_becomes_critical():
    state, _ = tick(fired(policy(sticky=False)), 0)
    state, _ = on_ack(state, at(1), "alice")
    state = on_severity_change(state, Severity.CRITICAL, at(3))
    assert state.ack is None and state.phase is Phase.TRIGGERED
    state, actions = due_steps(state, at(3))
    assert [(a.step, a.reason, a.renotify, a.severity) for a in actions] == [
        (0, StepReason.ACK_CLEARED, "alice", Severity.CRITICAL)
    ]


def test_behaviour_21_non_sticky_ack_survives_a_better_severity():
    state, _ = on_ack(fired(policy(sticky=False), Severity.CRITICAL), at(0), "alice")
    state = on_severity_change(state, Severity.WARNING, at(3))
    assert state.ack is not None and state.severity is Severity.WARNING
    assert tick(state, 1000)[1] == []


def test_behaviour_21_sticky_ack_lasts_until_the_alert_resolves():
    state, _ = on_ack(fired(policy(sticky=True)), at(0), "alice")
    state = on_severity_change(state, Severity.CRITICAL, at(3))
    assert state.phase is Phase.ACKNOWLEDGED and state.ack is not None
    assert tick(state, 1000)[1] == []
    state = on_resolve(state, at(1001))
    assert state.phase is Phase.RESOLVED
    again = fired(policy(sticky=True), when=1002)  # fires again: a new escalation, no ack
    assert again.ack is None
    assert tick(again, 1002)[1] == [(0, 0, "push-alice")]


def test_behaviour_22_the_first_ack_wins_and_later_ones_report_success_unchanged():
    state, first = on_ack(fired(), at(1), "alice")
    again, second = on_ack(state, at(2), "bob")
    assert (first, second) == (AckResult.ACKNOWLEDGED, AckResult.ALREADY)
    assert again == state
    assert state.ack is not None and (state.ack.by, state.ack.at) == ("alice", at(1))


def test_behaviour_22_acking_a_resolved_alert_does_not_reopen_it():
    resolved = on_resolve(fired(), at(1))
    state, result = on_ack(resolved, at(2), "alice")
    assert result is AckResult.RESOLVED
    assert state == resolved
    assert tick(state, 100)[1] == []


def test_unack_restarts_escalation_from_the_first_step():
    state, _ = on_ack(tick(fired(), 5)[0], at(6), "alice")
    state = on_unack(state, at(8))
    state, actions = due_steps(state, at(8))
    assert [(a.step, a.reason) for a in actions] == [(0, StepReason.UNACKNOWLEDGED)]
    assert on_unack(state, at(9)) == state  # nothing to take back


def test_an_ack_during_a_silence_holds_after_it():
    state = on_silence(fired(), at(1))
    state, result = on_ack(state, at(2), "alice")
    assert result is AckResult.ACKNOWLEDGED and state.phase is Phase.SILENCED
    state = on_silence_end(state, at(3))
    assert state.phase is Phase.ACKNOWLEDGED
    assert tick(state, 100)[1] == []


def test_unack_or_a_cleared_ack_during_a_silence_waits_for_its_end():
    silenced, _ = on_ack(on_silence(fired(policy(sticky=False)), at(1)), at(2), "alice")
    for state in (
        on_unack(silenced, at(3)),
        on_severity_change(silenced, Severity.CRITICAL, at(3)),
    ):
        assert state.ack is None and state.phase is Phase.SILENCED
        assert tick(state, 100)[1] == []
        state, actions = due_steps(on_silence_end(state, at(100)), at(100))
        assert [(a.step, a.reason) for a in actions] == [(0, StepReason.SILENCE_ENDED)]


def test_a_resolved_escalation_ignores_silences_and_severity():
    resolved = on_resolve(fired(), at(1))
    assert on_silence(resolved, at(2)) == resolved
    assert on_silence_end(resolved, at(2)) == resolved
    assert on_severity_change(resolved, Severity.CRITICAL, at(2)) == resolved


def test_select_policy_by_severity_then_route_then_catch_all():
    critical = policy(severities=(Severity.CRITICAL,))
    db_team = policy(routes=("db",))
    catch_all = policy()
    policies = [critical, db_team, catch_all]
    assert select_policy(policies, Severity.CRITICAL, "db") is critical
    assert select_policy(policies, Severity.WARNING, "db") is db_team
    assert select_policy(policies, Severity.WARNING, "web") is catch_all
    assert select_policy(policies, Severity.WARNING) is catch_all
    assert select_policy([critical], Severity.INFO, "web") is None


EXAMPLE = """
escalation:
  policies:
    critical:
      severities: [critical]
      repeat: 2
      sticky: false
      ack_timeout: 45m
      steps:
        - notify: [push-oncall]
          wait: 5m
        - notify: [push-lead, slack-ops]
          wait: 15m
    default:
      steps:
        - notify: [slack-ops]
"""


def test_parse_escalation_section():
    doc = parse_yaml(EXAMPLE, "monitoring.yml")
    config = parse_escalation(
        doc.data["escalation"], doc, channels={"push-oncall", "push-lead", "slack-ops"}
    )
    critical, default = config.policies
    assert critical.name == "critical" and default.name == "default"
    assert critical.steps[1] == EscalationStep(("push-lead", "slack-ops"), Seconds(15 * MIN))
    assert (critical.repeat, critical.sticky, critical.ack_timeout) == (2, False, 45 * MIN)
    assert critical.severities == (Severity.CRITICAL,)
    assert (default.repeat, default.sticky, default.ack_timeout) == (0, True, None)
    assert default.steps[0].wait == 30 * MIN
    assert parse_escalation(None).policies == ()


@pytest.mark.parametrize(
    ("policy_yaml", "field", "reason"),
    [
        ("repeat: 10\n      steps: [{notify: [ops]}]", "p.repeat", "0 to 9"),
        ("steps: []", "p.steps", "at least one step"),
        ("steps: [{notify: []}]", "p.steps[0].notify", "at least one channel"),
        ("steps: [{notify: [ops], wait: 0}]", "p.steps[0].wait", "longer than 0"),
        ("steps: [{notify: [ops], wait: soon}]", "p.steps[0].wait", "duration"),
        ("steps: [{notify: [ops], every: 5m}]", "p.steps[0].every", "unknown field"),
        ("steps: [{notify: [nobody]}]", "p.steps[0].notify", "no channel named 'nobody'"),
        ("ack_timeout: 0\n      steps: [{notify: [ops]}]", "p.ack_timeout", "longer than 0"),
        ("sticky: maybe\n      steps: [{notify: [ops]}]", "p.sticky", "Expected `bool`"),
        ("severities: [urgent]\n      steps: [{notify: [ops]}]", "p.severities[0]", "Invalid"),
        ("name: x\n      steps: [{notify: [ops]}]", "p.name", "named by its key"),
        ("ack_timeout: -5\n      steps: [{notify: [ops]}]", "p.ack_timeout", "negative"),
        ("repeat: 1", "p", "steps"),
    ],
)
def test_parse_errors_name_the_field(policy_yaml, field, reason):
    text = f"escalation:\n  policies:\n    p:\n      {policy_yaml}\n"
    doc = parse_yaml(text, "monitoring.yml")
    with pytest.raises(ConfigError, match=reason) as caught:
        parse_escalation(doc.data["escalation"], doc, channels={"ops"})
    assert caught.value.field == f"escalation.policies.{field}"
    assert caught.value.line is not None


@pytest.mark.parametrize(
    ("section", "field"),
    [
        ([1], "escalation"),
        ({"polices": {}}, "escalation.polices"),
        ({"policies": [1]}, "escalation.policies"),
        ({"policies": {"p": 3}}, "escalation.policies.p"),
    ],
)
def test_parse_errors_for_the_wrong_shape(section, field):
    with pytest.raises(ConfigError) as caught:
        parse_escalation(section)
    assert caught.value.field == field


OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("tick"), st.floats(0, 40)),
        st.tuples(st.just("ack"), st.sampled_from(["alice", "bob"])),
        st.tuples(st.just("severity"), st.sampled_from(list(Severity))),
        st.tuples(st.just("silence"), st.booleans()),
    ),
    max_size=30,
)


@given(OPERATIONS, st.integers(0, 9))
def test_escalation_never_emits_a_step_after_a_sticky_ack_without_timeout(operations, repeat):
    state = fired(policy(repeat=repeat))
    now = 0.0
    acked = False
    last_due = None
    for kind, value in operations:
        if kind == "tick":
            now += value
            state, actions = due_steps(state, at(now))
            assert not (acked and actions)
            for action in actions:
                assert action.due_at <= at(now)
                assert last_due is None or action.due_at >= last_due
                last_due = action.due_at
        elif kind == "ack":
            state, _ = on_ack(state, at(now), value)
            acked = True
        elif kind == "severity":
            state = on_severity_change(state, value, at(now))
        elif value:
            state = on_silence(state, at(now))
        else:
            state = on_silence_end(state, at(now))
