"""Alert changes kept in memory while the store cannot write, and stored once it can."""

from datetime import timedelta

from hub.alerts.unstored import Change, UnstoredChanges
from hub.domain.alerts import Alert, AlertState, Transition
from hub.domain.rules import Operator, Rule, Severity

CPU_HIGH = Rule("cpu_high", "cpu_usage", 80, Operator.GT, 60, Severity.WARNING, "CPU {{ value }}")
LABELS = {"alertname": "cpu_high", "host": "box"}
PENDING, FIRING, RESOLVED = AlertState.PENDING, AlertState.FIRING, AlertState.RESOLVED


def transition(clock, from_state, to_state, value=90.0, **changes) -> Transition:
    return Transition(
        "cpu_high", LABELS, from_state, to_state, value, clock.now(), clock.now(), **changes
    )


def stored(clock, state=FIRING, alert_id=7) -> Alert:
    """An open alert as the store holds it."""
    return Alert(
        alert_id,
        "fp",
        "cpu_high",
        state,
        Severity.WARNING,
        {**LABELS, "severity": "warning"},
        {"message": "CPU 85"},
        85.0,
        clock.now() - timedelta(minutes=5),
        fired_at=clock.now() - timedelta(minutes=4) if state is FIRING else None,
    )


def test_a_new_alert_kept_in_memory_gets_a_negative_id_and_its_rendered_message(clock):
    kept = UnstoredChanges()
    alerts = kept.keep([Change(CPU_HIGH, "fp", None, transition(clock, None, PENDING))])
    assert len(kept) == 1
    [alert] = alerts
    assert alert.id == -1
    assert (alert.state, alert.fingerprint, alert.rule) == (PENDING, "fp", "cpu_high")
    assert alert.labels == {**LABELS, "severity": "warning"}
    assert alert.annotations["message"] == "CPU 90"
    assert alert.fired_at is None


def test_each_new_alert_in_memory_gets_its_own_id(clock):
    kept = UnstoredChanges()
    first = kept.keep([Change(CPU_HIGH, "a", None, transition(clock, None, FIRING))])
    second = kept.keep([Change(CPU_HIGH, "b", None, transition(clock, None, FIRING))])
    assert [a.id for a in first + second] == [-1, -2]


def test_a_kept_alert_changes_on_from_memory_not_from_the_store(clock):
    kept = UnstoredChanges()
    kept.keep([Change(CPU_HIGH, "fp", None, transition(clock, None, PENDING))])
    clock.advance(60)
    fired_at = clock.now()
    [alert] = kept.keep([Change(CPU_HIGH, "fp", None, transition(clock, PENDING, FIRING))])
    assert (alert.id, alert.state, alert.fired_at) == (-1, FIRING, fired_at)
    clock.advance(60)
    [alert] = kept.keep([Change(CPU_HIGH, "fp", None, transition(clock, FIRING, RESOLVED, 50.0))])
    assert (alert.state, alert.fired_at, alert.resolved_at) == (RESOLVED, fired_at, clock.now())
    assert len(kept) == 1


def test_a_forgotten_pending_alert_is_kept_but_not_returned(clock):
    kept = UnstoredChanges()
    kept.keep([Change(CPU_HIGH, "fp", None, transition(clock, None, PENDING))])
    assert kept.keep([Change(CPU_HIGH, "fp", None, transition(clock, PENDING, None))]) == []
    assert len(kept) == 1


def test_overlay_shows_open_alerts_as_memory_knows_them(clock):
    kept = UnstoredChanges()
    store = {"fp": stored(clock), "other": stored(clock, alert_id=8)}
    kept.keep(
        [
            Change(CPU_HIGH, "fp", store["fp"], transition(clock, FIRING, RESOLVED, 50.0)),
            Change(CPU_HIGH, "new", None, transition(clock, None, FIRING)),
        ]
    )
    kept.overlay(store)
    assert set(store) == {"other", "new"}
    assert store["new"].state is FIRING


def test_replay_is_one_change_from_what_the_store_holds_to_what_memory_knows(clock):
    kept = UnstoredChanges()
    held = stored(clock, state=PENDING)
    kept.keep([Change(CPU_HIGH, "fp", held, transition(clock, PENDING, FIRING))])
    clock.advance(60)
    raised = transition(
        clock, FIRING, FIRING, 99.0, severity=Severity.CRITICAL, from_severity=Severity.WARNING
    )
    kept.keep([Change(CPU_HIGH, "fp", held, raised)])
    [change] = kept.replay({"fp": held})
    assert change.current is held
    assert (change.transition.from_state, change.transition.to_state) == (PENDING, FIRING)
    assert change.transition.severity is Severity.CRITICAL
    assert change.transition.from_severity is None  # one state change, not a severity event
    assert change.note == f"stored late: the store could not write at {clock.now().isoformat()}"


def test_replay_skips_a_pending_alert_the_store_never_held(clock):
    kept = UnstoredChanges()
    kept.keep([Change(CPU_HIGH, "fp", None, transition(clock, None, PENDING))])
    kept.keep([Change(CPU_HIGH, "fp", None, transition(clock, PENDING, None))])
    assert kept.replay({}) == []


def test_replay_of_a_new_alert_creates_it_and_clear_forgets_everything(clock):
    kept = UnstoredChanges()
    kept.keep([Change(CPU_HIGH, "fp", None, transition(clock, None, FIRING))])
    [change] = kept.replay({})
    assert change.current is None
    assert (change.transition.from_state, change.transition.to_state) == (None, FIRING)
    kept.clear()
    assert len(kept) == 0
    assert kept.replay({}) == []
