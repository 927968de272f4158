"""Running escalation policies for firing alerts: the stored side of ``escalation``.

One ``EscalationState`` per firing alert that a policy admits, kept in ``notify_state``. Alert
changes move it (ack, unack, resolve, a severity rise); at each notify tick due steps are sent
to their channels as one-alert notifications, a silence or maintenance window pauses it, and an
ack timeout puts the alert back to firing. Escalation is in addition to routes: routes inform,
escalation pages until someone acknowledges.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

import msgspec

from hub.domain.alerts import Alert, AlertEvent, AlertState
from hub.domain.notifications import Notification, NotifiedAlert
from hub.notify.escalation import (
    EscalationConfig,
    EscalationState,
    Phase,
    StepAction,
    due_steps,
    next_wakeup,
    on_ack,
    on_resolve,
    on_severity_change,
    on_silence,
    on_silence_end,
    on_unack,
    select_policy,
    start,
)
from hub.notify.grouping import is_firing
from hub.notify.outbox import encode
from hub.notify.routing import Route, match_routes
from hub.notify.statecodec import ENCODER, decoder
from hub.store.engine import Tx

ESCALATION = "escalation"
"""``notify_state`` kind of escalation states (key: the alert's fingerprint)."""


_DECODER = decoder(EscalationState)


class Escalations:
    """Escalation states of firing alerts, loaded and saved within the caller's transaction."""

    def __init__(self, config: EscalationConfig, external_url: str, tree: Route) -> None:
        self._config = config
        self._external_url = external_url
        self.tree = tree
        """The route tree: a policy with ``routes`` takes the alerts of those routes."""

    @property
    def enabled(self) -> bool:
        """Whether any policy is configured."""
        return bool(self._config.policies)

    async def on_alerts(self, tx: Tx, alerts: Iterable[Alert], now: datetime) -> None:
        """Start, acknowledge, restart or end the escalations of changed alerts."""
        if not self.enabled:
            return
        states = await _load(tx)
        for alert in alerts:
            before = states.get(alert.fingerprint)
            after = self._follow(before, alert, now)
            if after is None or after.phase is Phase.RESOLVED:
                if before is not None:
                    await tx.notify_state.delete(ESCALATION, alert.fingerprint)
            elif after != before:
                await tx.notify_state.put(ESCALATION, alert.fingerprint, ENCODER.encode(after), now)

    def _follow(
        self, state: EscalationState | None, alert: Alert, now: datetime
    ) -> EscalationState | None:
        if alert.state is AlertState.RESOLVED:
            return None if state is None else on_resolve(state, now)
        if state is None:
            if not is_firing(alert):
                return None
            names = [r.name for r in match_routes(self.tree, alert.labels) if r.name]
            policy = select_policy(self._config.policies, alert.severity, names)
            if policy is None:
                return None
            state = start(policy, alert.fingerprint, now, severity=alert.severity)
        state = on_severity_change(state, alert.severity, now)
        if alert.state is AlertState.ACKNOWLEDGED and state.ack is None:
            state, _ = on_ack(state, alert.acknowledged_at or now, alert.acknowledged_by or "")
        elif alert.state is AlertState.FIRING and state.ack is not None:
            state = on_unack(state, now)
        return state

    async def run_due(
        self, tx: Tx, now: datetime, open_alerts: dict[str, Alert], muted: Callable[[Alert], bool]
    ) -> tuple[int, datetime | None, list[Alert]]:
        """Send the steps due by ``now``.

        Returns:
            Notifications queued, the next wakeup, and the alerts an ack timeout put back to
            firing (their notification groups must hear of it).
        """
        if not self.enabled:
            return 0, None, []
        queued = 0
        refired: list[Alert] = []
        wakeups: list[datetime] = []
        for key, state in (await _load(tx)).items():
            alert = open_alerts.get(key)
            if alert is None:  # resolved or forgotten without our noticing: nothing to page
                await tx.notify_state.delete(ESCALATION, key)
                continue
            after = on_silence(state, now) if muted(alert) else on_silence_end(state, now)
            after, actions = due_steps(after, now)
            if state.phase is Phase.ACKNOWLEDGED and after.phase is Phase.TRIGGERED:
                alert = await _ack_timed_out(tx, alert, now)
                refired.append(alert)
            for action in actions:
                for channel in action.channels:
                    note = _notification(alert, action, channel, self._external_url)
                    await tx.outbox.enqueue(channel, encode(note), alert.id, now)
                    queued += 1
            if after != state:
                await tx.notify_state.put(ESCALATION, key, ENCODER.encode(after), now)
            if (wake := next_wakeup(after)) is not None:
                wakeups.append(wake)
        return queued, min(wakeups, default=None), refired


async def _ack_timed_out(tx: Tx, alert: Alert, now: datetime) -> Alert:
    """An acknowledged alert still firing after its policy's ack timeout fires again."""
    await tx.alerts.update(
        alert.id,
        now,
        state=AlertState.FIRING,
        acknowledged_at=None,
        acknowledged_by=None,
        ack_comment=None,
    )
    await tx.alerts.add_event(
        alert.id,
        AlertEvent(
            now,
            "ack_timeout",
            AlertState.ACKNOWLEDGED,
            AlertState.FIRING,
            alert.value,
            comment=f"acknowledged by {alert.acknowledged_by} but still firing",
        ),
    )
    return msgspec.structs.replace(
        alert, state=AlertState.FIRING, acknowledged_at=None, acknowledged_by=None
    )


def _notification(
    alert: Alert, action: StepAction, channel: str, external_url: str
) -> Notification:
    step = f"{action.policy} step {action.step + 1}, pass {action.loop + 1}"
    annotations = {**alert.annotations, "escalation": step, "escalation_reason": action.reason}
    if action.renotify:
        annotations["previously_acknowledged_by"] = action.renotify
    notified = NotifiedAlert.of(alert, "firing", annotations)
    return Notification(
        receiver=channel,
        status="firing",
        group_key=f"escalation/{action.policy}:{{fingerprint={alert.fingerprint!r}}}",
        group_labels={"alertname": alert.labels.get("alertname", alert.rule)},
        alerts=(notified,),
        external_url=external_url,
    )


async def _load(tx: Tx) -> dict[str, EscalationState]:
    return {k: _DECODER.decode(v) for k, v in (await tx.notify_state.load(ESCALATION)).items()}
