"""Pure rule evaluation: (rule, window, previous state, now) -> transition.

Prometheus semantics (shared/recipes/ALERTING-SEMANTICS.md): a true condition makes the alert
pending with ``active_at = now``; it fires at the first evaluation where ``now - active_at >=
duration`` (``duration: 0`` fires at once); a false condition forgets a pending alert without
notice and resolves a firing or acknowledged one. No sample in the window counts as false.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from hub.domain.alerts import AlertState, AlertStatus, Transition
from hub.domain.rules import Rule
from hub.domain.samples import Sample


def alert_labels(rule: Rule, series_labels: dict[str, str]) -> dict[str, str]:
    """An alert's identity: the series' labels, the rule's labels, alertname and severity."""
    return {**series_labels, **rule.labels, "alertname": rule.name, "severity": rule.severity}


def condition_holds(rule: Rule, window: Sequence[Sample]) -> bool:
    """Whether the newest sample in ``window`` breaks the rule's threshold."""
    return bool(window) and rule.operator.holds(window[-1].value, rule.threshold)


def evaluate(
    rule: Rule,
    labels: dict[str, str],
    window: Sequence[Sample],
    previous: AlertStatus | None,
    now: datetime,
) -> Transition | None:
    """The state change for one alert of ``rule``, or None when its state stays.

    Args:
        rule: the rule being evaluated.
        labels: the alert's labels (see ``alert_labels``).
        window: recent samples of the series, oldest first; empty when it has no data.
        previous: the alert's state before this evaluation, None when it has none.
        now: the evaluation time.
    """
    value = window[-1].value if window else None
    state = previous.state if previous else None

    def to(new: AlertState | None, active_at: datetime) -> Transition:
        return Transition(rule.name, labels, state, new, value, now, active_at)

    if condition_holds(rule, window):
        if previous is None or state is AlertState.RESOLVED:
            return to(AlertState.FIRING if rule.duration <= 0 else AlertState.PENDING, now)
        if state is AlertState.PENDING and (now - previous.active_at).total_seconds() >= (
            rule.duration
        ):
            return to(AlertState.FIRING, previous.active_at)
        return None
    if previous is None:
        return None
    if state is AlertState.PENDING:
        return to(None, previous.active_at)
    if state is not None and state.is_active:
        return to(AlertState.RESOLVED, previous.active_at)
    return None
