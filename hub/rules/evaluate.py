"""Pure rule evaluation: (rule, value, previous status, now) -> (new status, transition).

Prometheus and Grafana semantics (shared/recipes/ALERTING-SEMANTICS.md):

- a true condition makes the alert pending with ``active_at = now``; it fires at the first
  evaluation where ``now - active_at >= duration`` (``duration: 0`` fires at once); one false
  evaluation forgets a pending alert without notice;
- a firing alert resolves when the condition is false, unless ``keep_firing_for`` has not
  passed since it was last true, or the value has not crossed the recovery threshold;
- with severity levels the highest breached level is the alert's severity; a change while
  firing is a transition of its own;
- no data follows the rule's ``nodata`` mode; with ``ok`` an open alert resolves once its
  series is missing for two evaluations in a row.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import msgspec

from hub.domain.alerts import AlertState, AlertStatus, Transition
from hub.domain.rules import Level, NoData, Rule, Severity

MISSING_EVALUATIONS_TO_RESOLVE = 2
"""With ``nodata: ok``, an open alert whose series is gone resolves after this many evaluations."""


def alert_labels(rule: Rule, series_labels: dict[str, str]) -> dict[str, str]:
    """An alert's labels: the series' labels, the rule's labels and ``alertname``."""
    return {**series_labels, **rule.labels, "alertname": rule.name}


def breached_level(rule: Rule, value: float) -> Level | None:
    """The most severe level whose threshold ``value`` breaches, or None.

    For an ``absent`` rule the value is the seconds without data."""
    if rule.absent is not None:
        return rule.effective_levels[0] if value >= rule.absent else None
    breached = [lvl for lvl in rule.effective_levels if rule.operator.holds(value, lvl.threshold)]
    return breached[-1] if breached else None


def breaches(rule: Rule, value: float | None) -> bool:
    """Whether ``value`` breaches the rule's least severe level (so possibly more): a quick
    check that lets evaluation skip the many series that are fine and have no alert."""
    if value is None or rule.absent is not None:
        return False
    return rule.operator.holds(value, rule.effective_levels[0].threshold)


def condition_holds(rule: Rule, value: float | None) -> bool:
    """Whether ``value`` breaches any of the rule's levels (no value never does)."""
    return value is not None and breached_level(rule, value) is not None


def evaluate(
    rule: Rule,
    labels: dict[str, str],
    value: float | None,
    previous: AlertStatus | None,
    now: datetime,
) -> tuple[AlertStatus | None, Transition | None]:
    """One evaluation of one alert of ``rule``.

    Args:
        rule: the rule being evaluated.
        labels: the alert's labels (see ``alert_labels``).
        value: the series' value for this evaluation (aggregated over the rule's window, or
            predicted); None when the series has no data.
        previous: the alert's status before, None when it has none.
        now: the evaluation time.

    Returns:
        The status to keep for the next evaluation (None: the alert is gone) and the
        transition to record, or None when neither state nor severity changed.
    """
    if value is None:
        return _no_data(rule, labels, previous, now)
    level = breached_level(rule, value)
    if level is None and previous is not None and _not_recovered(rule, value, previous):
        level = _level_of(rule, previous.severity)
    return _step(rule, labels, value, level, previous, now, nodata=False)


def _no_data(
    rule: Rule, labels: dict[str, str], previous: AlertStatus | None, now: datetime
) -> tuple[AlertStatus | None, Transition | None]:
    if rule.nodata in (NoData.ALERTING, NoData.NODATA):
        level = rule.effective_levels[0]
        return _step(rule, labels, None, level, previous, now, rule.nodata is NoData.NODATA)
    if previous is None:
        return None, None
    missing = previous.missing + 1
    if rule.nodata is NoData.KEEP_LAST or missing < MISSING_EVALUATIONS_TO_RESOLVE:
        return msgspec.structs.replace(previous, missing=missing), None
    return _step(rule, labels, None, None, previous, now, nodata=False)


def _step(
    rule: Rule,
    labels: dict[str, str],
    value: float | None,
    level: Level | None,
    previous: AlertStatus | None,
    now: datetime,
    nodata: bool,
) -> tuple[AlertStatus | None, Transition | None]:
    state = previous.state if previous else None

    def to(
        new: AlertState | None, active_at: datetime, severity: Severity, was: Severity | None
    ) -> Transition:
        return Transition(
            rule.name, labels, state, new, value, now, active_at, severity, was, nodata
        )

    if level is not None:
        if previous is None or state is AlertState.RESOLVED:
            new = AlertState.FIRING if rule.duration <= 0 else AlertState.PENDING
            status = AlertStatus(new, now, level.severity)
            return status, to(new, now, level.severity, None)
        status = AlertStatus(previous.state, previous.active_at, level.severity)
        if state is AlertState.PENDING:
            if (now - previous.active_at).total_seconds() >= rule.duration:
                status = msgspec.structs.replace(status, state=AlertState.FIRING)
                return status, to(AlertState.FIRING, previous.active_at, level.severity, None)
            return status, None
        if level.severity != previous.severity:
            return status, to(state, previous.active_at, level.severity, previous.severity)
        return status, None
    if previous is None:
        return None, None
    if state is AlertState.PENDING:
        return None, to(None, previous.active_at, previous.severity, None)
    if state is not None and state.is_active:
        clear_since = previous.clear_since or now
        if (now - clear_since).total_seconds() < rule.keep_firing_for:
            return msgspec.structs.replace(previous, clear_since=clear_since), None
        return None, to(AlertState.RESOLVED, previous.active_at, previous.severity, None)
    return None, None


def _not_recovered(rule: Rule, value: float, previous: AlertStatus) -> bool:
    """Whether an open alert stays because the value has not crossed the recovery threshold."""
    if rule.recover is None or previous.state is AlertState.RESOLVED:
        return False
    return rule.operator.inclusive.holds(value, rule.recover)


def _level_of(rule: Rule, severity: Severity) -> Level:
    return next(
        (lvl for lvl in rule.effective_levels if lvl.severity == severity),
        rule.effective_levels[0],
    )


FOR_GRACE_PERIOD = 600.0
"""Seconds: a pending alert restored after a restart fires no sooner than this (Prometheus's
``--rules.alert.for-grace-period``, 10 m)."""
OUTAGE_TOLERANCE = 3600.0
"""Seconds: after a longer outage pending alerts start from scratch (Prometheus's
``--rules.alert.for-outage-tolerance``, 1 h)."""


def restore(
    rule: Rule, status: AlertStatus, down_at: datetime, now: datetime
) -> AlertStatus | None:
    """An open alert's status after the hub was down from ``down_at`` until ``now``.

    Prometheus's ``for`` state restore: a firing (or acknowledged) alert fires again at the
    next evaluation with no new ``for`` and no new notification; the downtime does not count
    toward a pending alert's ``for``; one with less than the grace period left fires one grace
    period after the start; a rule whose ``for`` is shorter than the grace period, or an outage
    longer than the tolerance, starts from scratch (None: forget the pending alert).
    """
    if status.state is not AlertState.PENDING:
        return status
    downtime = (now - down_at).total_seconds()
    if downtime > OUTAGE_TOLERANCE or rule.duration < FOR_GRACE_PERIOD:
        return None
    remaining = rule.duration - (down_at - status.active_at).total_seconds()
    if remaining <= 0:
        return status
    if remaining < FOR_GRACE_PERIOD:
        active_at = now + timedelta(seconds=FOR_GRACE_PERIOD - rule.duration)
    else:
        active_at = status.active_at + (now - down_at)
    return msgspec.structs.replace(status, active_at=active_at)
