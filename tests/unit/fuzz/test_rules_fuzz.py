"""Rule evaluation on any rule and any sequence of values: it never raises, states move only
along the lifecycle, and an alert fires only while its condition holds (or keep_firing_for)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from hub.domain.alerts import AlertState
from hub.rules.evaluate import condition_holds, evaluate
from hub.rules.parse import parse_rules_text

T0 = datetime(2026, 1, 1, tzinfo=UTC)
VALUES = st.one_of(
    st.none(),
    st.floats(allow_nan=False, allow_infinity=True),
    st.sampled_from([0.0, 1.0, 80.0, 80.0000001, 90.0, -1.0]),
)


@st.composite
def rules(draw: st.DrawFn) -> str:
    lines = ["alerts:", "  r:", "    metric: m"]
    op = draw(st.sampled_from([">", ">=", "<", "<=", "==", "!="]))
    lines.append(f"    operator: '{op}'")
    if op in (">", ">=", "<", "<=") and draw(st.booleans()):  # levels rise or fall with op
        warning, critical = (80, 90) if op.startswith(">") else (20, 10)
        lines += ["    levels:", f"      warning: {warning}", f"      critical: {critical}"]
    else:
        lines.append(f"    threshold: {draw(st.sampled_from([0, 1, 80, -5, 0.5]))}")
    lines.append(f"    duration: {draw(st.sampled_from([0, 1, 30, 300]))}")
    if draw(st.booleans()):
        lines.append(f"    keep_firing_for: {draw(st.sampled_from([0, 10, 60]))}")
    if draw(st.booleans()):
        lines.append(f"    nodata: {draw(st.sampled_from(['ok', 'alerting', 'nodata']))}")
    return "\n".join(lines) + "\n"


@settings(max_examples=200, deadline=None)
@given(text=rules(), steps=st.lists(st.tuples(VALUES, st.floats(0, 600)), max_size=30))
def test_evaluation_never_raises_and_fires_only_on_its_condition(text, steps):
    [rule] = parse_rules_text(text)
    status, now = None, T0
    for value, dt in steps:
        now += timedelta(seconds=dt)
        status, transition = evaluate(rule, {"alertname": "r"}, value, status, now)
        if transition is not None:
            assert transition.from_state != transition.to_state or (
                transition.to_state is AlertState.FIRING  # a severity change while firing
            )
            assert transition.to_state is (status.state if status else transition.to_state)
        if status is None:
            continue
        assert status.state in (AlertState.PENDING, AlertState.FIRING)
        if value is not None and status.state is AlertState.PENDING:
            assert condition_holds(rule, value)  # pending only while the condition holds
        newly_firing = transition is not None and transition.from_state is not AlertState.FIRING
        if newly_firing and value is not None and status.state is AlertState.FIRING:
            assert condition_holds(rule, value)  # it fires only on its condition
