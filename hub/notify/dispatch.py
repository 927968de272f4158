"""The notification dispatcher: alert changes -> routes -> aggregation groups -> outbox.

Alerts that change are routed into their groups in the transaction that changed them; a group
tick (``flush``) decides what each channel is told, leaving out alerts that a silence, a
maintenance window or an inhibiting alert mutes at that moment, and queues the notification in
the outbox in the same transaction. Groups are stored (``notify_state``), so a restart neither
repeats nor forgets a notification. The pure decisions live in ``grouping``, ``routing``,
``inhibit``, ``hub.domain.silences`` and ``hub.domain.maintenance``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime

import msgspec

from hub.domain.alerts import Alert, AlertState
from hub.domain.maintenance import in_maintenance
from hub.domain.notifications import Notification, NotifiedAlert
from hub.domain.rules import Rule
from hub.domain.silences import Silence, is_silenced
from hub.notify.damp import Damper
from hub.notify.escalate import Escalations
from hub.notify.flap import Flaps, Observation
from hub.notify.flapping import FlapEvent, FlapEventKind
from hub.notify.grouping import (
    Group,
    GroupNotification,
    GroupRef,
    flush_due,
    is_firing,
    next_wakeup,
    route_alert,
)
from hub.notify.inhibit import inhibited
from hub.notify.outbox import encode
from hub.notify.policy import AlertPolicy
from hub.notify.routes import Routes, resolve_routes
from hub.notify.routing import Route, match_routes, with_seed_routes
from hub.notify.unstored import FROM_MEMORY, MemoryNotices
from hub.store import Store, StoreBusyError, StoreWriteError
from hub.store.engine import Tx

GROUP = "group"
"""``notify_state`` kind of aggregation groups."""
_ENCODER = msgspec.msgpack.Encoder()
_DECODER = msgspec.msgpack.Decoder(Group)


class Dispatcher:
    """Routes alert changes into groups and turns group ticks into queued notifications."""

    def __init__(
        self,
        store: Store,
        policy: AlertPolicy,
        routes: Routes,
        rules: Iterable[Rule],
        external_url: str,
    ) -> None:
        self._store = store
        self._routes = routes
        self._rules = tuple(rules)
        self.tree: Route = with_seed_routes(policy.routes, rules, routes)
        """The route tree: the seed's per-rule routes first, then alerts.yml's ``routes``."""
        self._policy = policy
        self._escalations = Escalations(policy.escalation, external_url, self.tree)
        self._send_resolved = {name: c.send_resolved for name, c in routes.channels.items()}
        self._external_url = external_url
        self.damper = Damper(rules)
        """Notification damping of rules with a ``delay``."""
        self.flaps = Flaps(policy.flapping)
        """Flap detection: a flapping alert's notifications and escalation are held."""
        self._announced = 0
        """Flapping notices queued since the last flush (so the caller wakes delivery)."""
        self.memory = MemoryNotices(external_url)
        """Delivery from memory while the store cannot write (set its ``send``)."""
        self._told: list[tuple[str, str]] = []
        """Memory delivery's marks of the notifications the running flush stores as sent."""

    def set_rules(self, rules: tuple[Rule, ...]) -> None:
        """Route and damp by ``rules`` from now on (their ``notifications`` name channels that
        are configured already)."""
        self._rules = rules
        resolved = resolve_routes(rules, self._routes.channels)
        self.tree = with_seed_routes(self._policy.routes, rules, resolved)
        self._escalations.tree = self.tree
        self.damper.set_rules(rules)

    @property
    def policy(self) -> AlertPolicy:
        """The alerting policy in force (alerts.yml's, as last loaded)."""
        return self._policy

    def set_policy(self, policy: AlertPolicy) -> None:
        """Use a reloaded alerts.yml's routes, inhibit rules, maintenance windows, escalation
        policies and flapping thresholds (the rules follow with :meth:`set_rules`)."""
        self._policy = policy
        self._escalations = Escalations(policy.escalation, self._external_url, self.tree)
        if policy.flapping != self.flaps.config:
            self.flaps = Flaps(policy.flapping)
        self.set_rules(self._rules)

    @property
    def has_news(self) -> bool:
        """Whether notices were queued that the next :meth:`flush` reports."""
        return self._announced > 0

    async def observe(
        self,
        tx: Tx,
        seen: Mapping[str, Observation],
        metrics: frozenset[str] | None,
        now: datetime,
    ) -> None:
        """Feed one evaluation to flap detection; say once when an alert starts or stops
        flapping, and when it stops let its held notifications go at once."""
        events = await self.flaps.observe(tx, seen, metrics, now)
        if not events:
            return
        groups = await _load(tx)
        updated = dict(groups)
        for record, event in events:
            alert = await tx.alerts.get(record.alert_id) if record.alert_id is not None else None
            if alert is None:
                continue
            for route in match_routes(self.tree, alert.labels):
                for channel in route.channels:
                    note = flap_notification(alert, event, channel, self._external_url)
                    await tx.outbox.enqueue(channel, encode(note), alert.id, now)
                    self._announced += 1
            if event.kind is FlapEventKind.STOPPED:
                for ref, group in updated.items():
                    if alert.fingerprint in group.alerts:
                        updated[ref] = msgspec.structs.replace(group, next_flush_at=now)
        await _save(tx, groups, updated, now)

    async def on_alerts(self, tx: Tx, alerts: Iterable[Alert], now: datetime) -> None:
        """Route changed alerts into their groups and move their escalations; the notify job
        then decides at each group's tick what to send."""
        changed = list(alerts)
        groups = await _load(tx)
        updated = dict(groups)
        for alert in changed:
            if self.damper.applies(alert) and await self.damper.hold(tx, alert, now):
                continue  # damped: routed when its hold is over
            updated = route_alert(updated, self.tree, alert, now)
        await _save(tx, groups, updated, now)
        # a flapping alert pages nobody: its escalation neither starts nor restarts
        paging = [a for a in changed if a.state is AlertState.RESOLVED or not self._flapping(a)]
        await self._escalations.on_alerts(tx, paging, now)

    def _flapping(self, alert: Alert) -> bool:
        return self.flaps.flapping(alert.fingerprint)

    async def deliver_unstored(self, alerts: Iterable[Alert], now: datetime) -> None:
        """Tell the channels about alert changes the store could not write, at once and from
        memory (best effort, not durable; silences, maintenance and inhibition still apply when
        the store can be read). Sent in the background: see ``memory.settled``."""
        try:
            async with self._store.tx() as tx:
                muted: Callable[[Alert], bool] = await self._muting(tx, now)
        except (StoreWriteError, StoreBusyError):
            muted = self._flapping
        self.memory.deliver(alerts, self.tree, self._send_resolved, muted)

    async def flush(self, now: datetime) -> tuple[int, datetime | None]:
        """Flush every group whose tick has come and queue what it says, in one transaction.
        A notification that memory delivery already sent is stored as delivered, not queued.

        Returns:
            The notifications queued, and when a group next needs a flush.
        """
        self._told = []
        async with self._store.tx() as tx:
            flushed = await self._flush(tx, now)
        self.memory.forget(self._told)
        return flushed

    async def _flush(self, tx: Tx, now: datetime) -> tuple[int, datetime | None]:
        groups = await _load(tx)
        await self.damper.load(tx)
        damped = self.damper.next_due()
        wake = min((w for w in (_earliest(groups.values()), damped) if w is not None), default=None)
        announced, self._announced = self._announced, 0
        if not self._escalations.enabled and (wake is None or now < wake):
            return announced, wake  # the common idle case: one query, then done
        mute = await self._muting(tx, now)
        paged, paging_wake, refired = await self._escalations.run_due(
            tx, now, mute.open_alerts, mute
        )
        updated = dict(groups)
        released = await tx.alerts.get_many(await self.damper.release(tx, now))
        for alert in (*released, *refired):  # damping let it go; an ack timed out
            updated = route_alert(updated, self.tree, alert, now)
        kept, notes = flush_due(updated, now, self._send_resolved, mute)
        for note in notes:
            payload = encode(as_notification(note, self._external_url))
            told = self.memory.already_told(note)
            if told is None:
                await tx.outbox.enqueue(note.channel, payload, _first_id(note), now)
            else:
                await tx.outbox.enqueue_delivered(
                    note.channel, payload, _first_id(note), now, FROM_MEMORY
                )
                self._told += told
        await _save(tx, groups, kept, now)
        wakes = [
            w
            for w in (_earliest(kept.values()), paging_wake, self.damper.next_due())
            if w is not None
        ]
        return len(notes) + paged + announced, min(wakes, default=None)

    async def _muting(self, tx: Tx, now: datetime) -> _Mute:
        silences = await tx.silences.ending_after(now)
        open_alerts = {a.fingerprint: a for a in await tx.alerts.open()}
        return _Mute(silences, self._policy, open_alerts, now, self._flapping)


class _Mute:
    """Whether an alert's notifications are muted right now, and by what."""

    def __init__(
        self,
        silences: list[Silence],
        policy: AlertPolicy,
        open_alerts: dict[str, Alert],
        now: datetime,
        flapping: Callable[[Alert], bool],
    ) -> None:
        self._silences = silences
        self._flapping = flapping
        self._policy = policy
        self.open_alerts = open_alerts
        """Open alerts by fingerprint."""
        self._firing = [a for a in open_alerts.values() if is_firing(a)]
        self._now = now

    def __call__(self, alert: Alert) -> bool:
        if self._flapping(alert):
            return True  # held whether firing or resolved: the flapping notice said enough
        if not is_firing(alert):
            return False
        return (
            is_silenced(alert.labels, self._silences, self._now)
            or bool(in_maintenance(alert.labels, self._policy.maintenance, self._now))
            or inhibited(alert, self._firing, self._policy.inhibit_rules)
        )


def as_notification(note: GroupNotification, external_url: str) -> Notification:
    """The outbox payload for a group notification: firing alerts, then resolved ones."""
    alerts = [NotifiedAlert.of(a, "firing") for a in note.firing]
    alerts += [NotifiedAlert.of(a, "resolved") for a in note.resolved]
    return Notification(
        receiver=note.channel,
        status=note.status,
        group_key=note.group_key,
        group_labels=note.group_labels,
        alerts=tuple(alerts),
        external_url=external_url,
    )


def flap_notification(
    alert: Alert, event: FlapEvent, channel: str, external_url: str
) -> Notification:
    """The one notice that ``alert`` started (or stopped) flapping."""
    if event.kind is FlapEventKind.STARTED:
        text = (
            f"flapping: {event.percent:.0f} % state change over the last 21 evaluations "
            f"(>= {event.threshold:g} %); notifications are held until it settles"
        )
    else:
        text = (
            f"stopped flapping: {event.percent:.0f} % state change (<= {event.threshold:g} %); "
            "notifications resume"
        )
    status = "firing" if is_firing(alert) else "resolved"
    annotations = {**alert.annotations, "flapping": event.kind.value, "summary": text}
    return Notification(
        receiver=channel,
        status=status,
        group_key=f"flapping:{{fingerprint={alert.fingerprint!r}}}",
        group_labels={"alertname": alert.labels.get("alertname", alert.rule)},
        alerts=(NotifiedAlert.of(alert, status, annotations),),
        external_url=external_url,
    )


def _first_id(note: GroupNotification) -> int:
    return (note.firing or note.resolved)[0].id


def _earliest(groups: Iterable[Group]) -> datetime | None:
    times = [w for g in groups if (w := next_wakeup(g)) is not None]
    return min(times, default=None)


def _ref_key(ref: GroupRef) -> str:
    """A short stable key for a group (group keys can be long)."""
    group_key, channel = ref
    return hashlib.sha256(f"{channel}\x1f{group_key}".encode()).hexdigest()


async def _load(tx: Tx) -> dict[GroupRef, Group]:
    groups = (_DECODER.decode(data) for data in (await tx.notify_state.load(GROUP)).values())
    return {(g.key, g.channel): g for g in groups}


async def _save(
    tx: Tx, before: Mapping[GroupRef, Group], after: Mapping[GroupRef, Group], now: datetime
) -> None:
    """Write the groups that changed; delete the ones that emptied or are gone from ``after``."""
    for ref in before.keys() - after.keys():
        await tx.notify_state.delete(GROUP, _ref_key(ref))
    for ref, group in after.items():
        if next_wakeup(group) is None:
            if ref in before:
                await tx.notify_state.delete(GROUP, _ref_key(ref))
        elif before.get(ref) != group:
            await tx.notify_state.put(GROUP, _ref_key(ref), _ENCODER.encode(group), now)
