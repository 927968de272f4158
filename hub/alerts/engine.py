"""The alert engine: evaluates rules against the newest samples and keeps alerts in the store.

Each evaluation runs in one transaction: alert rows, their history events and the outbox rows of
the notifications they cause commit together, so a crash never loses or invents a notification.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from datetime import datetime, timedelta

from hub.domain.alerts import Alert, AlertEvent, AlertState, AlertStatus, Transition
from hub.domain.rules import Rule
from hub.domain.samples import Sample, fingerprint
from hub.lib.bus import Bus
from hub.lib.clock import Clock
from hub.notify.compose import notification_for
from hub.notify.outbox import encode
from hub.notify.routes import Routes
from hub.rules.evaluate import alert_labels, evaluate
from hub.store import Store
from hub.store.engine import Tx
from hub.tsdb import TSDB

LOOKBACK = timedelta(minutes=5)
"""A series with no sample this recent has no data (Prometheus' lookback delta)."""


class AlertNotFoundError(LookupError):
    """No alert has that id."""


class AckOutcome(enum.Enum):
    """What an acknowledgement did."""

    ACKNOWLEDGED = "acknowledged"
    ALREADY = "already acknowledged"
    RESOLVED = "already resolved"


class AlertEngine:
    """Rule evaluation, alert state and acknowledgement."""

    def __init__(
        self,
        store: Store,
        tsdb: TSDB,
        rules: tuple[Rule, ...],
        routes: Routes,
        clock: Clock,
        bus: Bus,
        external_url: str,
    ) -> None:
        self._store = store
        self._tsdb = tsdb
        self._rules = rules
        self._routes = routes
        self._clock = clock
        self._bus = bus
        self._external_url = external_url

    @property
    def rules(self) -> tuple[Rule, ...]:
        """The rules being evaluated."""
        return self._rules

    async def evaluate(self) -> list[Alert]:
        """Evaluate every rule once; returns the alerts whose state changed."""
        now = self._clock.now()
        by_metric: dict[str, list[Sample]] = defaultdict(list)
        for sample in await self._tsdb.latest(since=now - LOOKBACK):
            by_metric[sample.name].append(sample)
        changed: list[int] = []
        async with self._store.tx() as tx:
            open_alerts = {a.fingerprint: a for a in await tx.alerts.open()}
            seen: set[str] = set()
            for rule in self._rules:
                for sample in by_metric.get(rule.metric, ()):
                    labels = alert_labels(rule, sample.labels)
                    key = fingerprint(labels)
                    seen.add(key)
                    current = open_alerts.get(key)
                    changed += await self._step(tx, rule, labels, key, current, [sample], now)
            for key, current in open_alerts.items():
                if key in seen:
                    continue
                owner = next((r for r in self._rules if r.name == current.rule), None)
                if owner is None:
                    changed += await self._retire(tx, current, now)
                else:
                    changed += await self._step(tx, owner, current.labels, key, current, [], now)
            alerts = [a for a in [await tx.alerts.get(i) for i in changed] if a is not None]
        for alert in alerts:
            self._bus.publish("alert", alert)
        return alerts

    async def acknowledge(
        self, alert_id: int, by: str, comment: str | None
    ) -> tuple[Alert, AckOutcome]:
        """Acknowledge an open alert; idempotent, and a resolved alert stays resolved.

        Raises:
            AlertNotFoundError: no alert has that id.
        """
        now = self._clock.now()
        async with self._store.tx() as tx:
            alert = await self._get(tx, alert_id)
            if alert.state is AlertState.RESOLVED:
                return alert, AckOutcome.RESOLVED
            if alert.state is AlertState.ACKNOWLEDGED:
                return alert, AckOutcome.ALREADY
            await tx.alerts.update(
                alert_id,
                now,
                state=AlertState.ACKNOWLEDGED,
                acknowledged_at=now,
                acknowledged_by=by,
                ack_comment=comment,
            )
            await tx.alerts.add_event(
                alert_id,
                AlertEvent(
                    now, "ack", alert.state, AlertState.ACKNOWLEDGED, alert.value, by, comment
                ),
            )
            alert = await self._get(tx, alert_id)
        self._bus.publish("alert", alert)
        return alert, AckOutcome.ACKNOWLEDGED

    async def unacknowledge(self, alert_id: int, by: str) -> Alert:
        """Take an acknowledgement back; the alert is firing (or pending) again.

        Raises:
            AlertNotFoundError: no alert has that id.
        """
        now = self._clock.now()
        async with self._store.tx() as tx:
            alert = await self._get(tx, alert_id)
            if alert.state is not AlertState.ACKNOWLEDGED:
                return alert
            back = AlertState.FIRING if alert.fired_at else AlertState.PENDING
            await tx.alerts.update(
                alert_id,
                now,
                state=back,
                acknowledged_at=None,
                acknowledged_by=None,
                ack_comment=None,
            )
            await tx.alerts.add_event(
                alert_id, AlertEvent(now, "unack", AlertState.ACKNOWLEDGED, back, alert.value, by)
            )
            alert = await self._get(tx, alert_id)
        self._bus.publish("alert", alert)
        return alert

    async def _get(self, tx: Tx, alert_id: int) -> Alert:
        alert = await tx.alerts.get(alert_id)
        if alert is None:
            raise AlertNotFoundError(alert_id)
        return alert

    async def _step(
        self,
        tx: Tx,
        rule: Rule,
        labels: dict[str, str],
        key: str,
        current: Alert | None,
        window: list[Sample],
        now: datetime,
    ) -> list[int]:
        status = AlertStatus(current.state, current.started_at) if current else None
        transition = evaluate(rule, labels, window, status, now)
        if transition is None:
            if current is not None and window and window[-1].value != current.value:
                await tx.alerts.update(current.id, now, value=window[-1].value)
            return []
        return [await self._apply(tx, rule, key, current, transition)]

    async def _apply(
        self, tx: Tx, rule: Rule, key: str, current: Alert | None, t: Transition
    ) -> int:
        now = t.at
        if current is None:
            assert t.to_state is not None  # noqa: S101 (evaluate never forgets the unknown)
            alert_id = await tx.alerts.create(
                fingerprint=key,
                rule=rule.name,
                state=t.to_state,
                severity=rule.severity,
                labels=t.labels,
                annotations=_annotations(rule),
                value=t.value,
                active_at=t.active_at,
                now=now,
            )
        else:
            alert_id = current.id
            if t.to_state is None:
                await tx.alerts.delete(alert_id)
                return alert_id
            values: dict[str, object] = {"state": t.to_state, "value": t.value}
            if t.to_state is AlertState.FIRING:
                values["fired_at"] = now
            if t.to_state is AlertState.RESOLVED:
                values["resolved_at"] = now
            await tx.alerts.update(alert_id, now, **values)
        await tx.alerts.add_event(
            alert_id, AlertEvent(now, "state", t.from_state, t.to_state, t.value)
        )
        await self._queue_notifications(tx, alert_id, rule.name, t.to_state, now)
        return alert_id

    async def _retire(self, tx: Tx, alert: Alert, now: datetime) -> list[int]:
        """Resolve an alert whose rule no longer exists."""
        await tx.alerts.update(alert.id, now, state=AlertState.RESOLVED, resolved_at=now)
        await tx.alerts.add_event(
            alert.id, AlertEvent(now, "rule_removed", alert.state, AlertState.RESOLVED, alert.value)
        )
        return [alert.id]

    async def _queue_notifications(
        self, tx: Tx, alert_id: int, rule: str, to_state: AlertState, now: datetime
    ) -> None:
        if to_state not in (AlertState.FIRING, AlertState.RESOLVED):
            return
        alert = await self._get(tx, alert_id)
        if to_state is AlertState.RESOLVED and alert.fired_at is None:
            return  # never notified as firing, so nothing to take back
        for channel in self._routes.for_rule(rule):
            if to_state is AlertState.RESOLVED and not self._routes.channels[channel].send_resolved:
                continue
            note = notification_for(alert, channel, self._external_url)
            await tx.outbox.enqueue(channel, encode(note), alert_id, now)


def _annotations(rule: Rule) -> dict[str, str]:
    message = rule.message or f"{rule.metric} {rule.operator} {rule.threshold:g}"
    return {"message": message, "summary": message}
