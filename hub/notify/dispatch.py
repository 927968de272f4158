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
from collections.abc import Iterable, Mapping
from datetime import datetime

import msgspec

from hub.domain.alerts import Alert
from hub.domain.maintenance import in_maintenance
from hub.domain.notifications import Notification, NotifiedAlert
from hub.domain.rules import Rule
from hub.domain.silences import Silence, is_silenced
from hub.notify.escalate import Escalations
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
from hub.notify.routes import Routes
from hub.notify.routing import Route, with_seed_routes
from hub.store import Store
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
        self.tree: Route = with_seed_routes(policy.routes, rules, routes)
        """The route tree: the seed's per-rule routes first, then alerts.yml's ``routes``."""
        self._policy = policy
        self._escalations = Escalations(policy.escalation, external_url)
        self._send_resolved = {name: c.send_resolved for name, c in routes.channels.items()}
        self._external_url = external_url

    async def on_alerts(self, tx: Tx, alerts: Iterable[Alert], now: datetime) -> None:
        """Route changed alerts into their groups and move their escalations; the notify job
        then decides at each group's tick what to send."""
        changed = list(alerts)
        groups = await _load(tx)
        updated = dict(groups)
        for alert in changed:
            updated = route_alert(updated, self.tree, alert, now)
        await _save(tx, groups, updated, now)
        await self._escalations.on_alerts(tx, changed, now)

    async def flush(self, now: datetime) -> tuple[int, datetime | None]:
        """Flush every group whose tick has come and queue what it says, in one transaction.

        Returns:
            The notifications queued, and when a group next needs a flush.
        """
        async with self._store.tx() as tx:
            return await self._flush(tx, now)

    async def _flush(self, tx: Tx, now: datetime) -> tuple[int, datetime | None]:
        groups = await _load(tx)
        wake = _earliest(groups.values())
        if not self._escalations.enabled and (wake is None or now < wake):
            return 0, wake  # the common idle case: one query, then done
        mute = await self._muting(tx, now)
        paged, paging_wake, refired = await self._escalations.run_due(
            tx, now, mute.open_alerts, mute
        )
        updated = dict(groups)
        for alert in refired:  # an ack timed out: the alert repeats again
            updated = route_alert(updated, self.tree, alert, now)
        kept, notes = flush_due(updated, now, self._send_resolved, mute)
        for note in notes:
            payload = encode(as_notification(note, self._external_url))
            await tx.outbox.enqueue(note.channel, payload, _first_id(note), now)
        await _save(tx, groups, kept, now)
        wakes = [w for w in (_earliest(kept.values()), paging_wake) if w is not None]
        return len(notes) + paged, min(wakes, default=None)

    async def _muting(self, tx: Tx, now: datetime) -> _Mute:
        silences = await tx.silences.ending_after(now)
        open_alerts = {a.fingerprint: a for a in await tx.alerts.open()}
        return _Mute(silences, self._policy, open_alerts, now)


class _Mute:
    """Whether an alert's notifications are muted right now, and by what."""

    def __init__(
        self,
        silences: list[Silence],
        policy: AlertPolicy,
        open_alerts: dict[str, Alert],
        now: datetime,
    ) -> None:
        self._silences = silences
        self._policy = policy
        self.open_alerts = open_alerts
        """Open alerts by fingerprint."""
        self._firing = [a for a in open_alerts.values() if is_firing(a)]
        self._now = now

    def __call__(self, alert: Alert) -> bool:
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
