"""Aggregation groups: when a group of alerts is notified, as a pure state machine.

Alertmanager's dispatcher and dedup stage (``dispatch/dispatch.go``, ``notify/notify.go``) as
functions of (state, now). One :class:`Group` per (route, group label values, channel): the
route's group key is the same for all its channels, but each channel has its own record of what
it was told, because ``send_resolved`` and deliveries differ per channel.

How a caller drives it:

1. On every alert change: ``groups = route_alert(groups, tree, alert, now)`` (or, per group,
   :func:`new_group` and :func:`on_alert`).
2. At :func:`next_wakeup` of any group: ``groups, notes = flush_due(groups, now, send_resolved)``
   (or :func:`flush` per group) and queue each :class:`GroupNotification` to its channel.
3. Persist every :class:`Group` (msgspec Struct) in the same transaction as the queued
   notifications. A group holds all it needs: what its channel was last told, when, and when
   to flush next; a restarted hub that loads it neither re-notifies nor forgets to repeat.
   Groups that :func:`flush_due` leaves out are empty and can be deleted.

When a flush notifies (Alertmanager's ``needsUpdate``): something fires and nothing firing was
notified yet; an alert fires that the last notification did not list; with ``send_resolved``,
an alert the channel was told is firing has resolved; or ``repeat_interval`` has passed since
the last notification and some firing alert is not acknowledged (ack stops repeats).
Unlike Alertmanager, an alert that fired and resolved between two notifications is never
listed, not even beside other news: the channel never heard of it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta

import msgspec

from hub.domain.alerts import Alert, AlertState
from hub.domain.rules import severity_rank
from hub.notify.routing import ALL_LABELS, Route, match_routes

GroupRef = tuple[str, str]
"""Where a group is kept: (group key, channel)."""


class Group(msgspec.Struct, frozen=True):
    """One aggregation group for one channel: its alerts and what the channel was told."""

    key: str
    """Alertmanager's groupKey: route key and group labels; stable across restarts."""
    channel: str
    """The channel this group notifies."""
    labels: dict[str, str]
    """The group labels (the alerts' values of the route's ``group_by``)."""
    group_wait: float
    group_interval: float
    repeat_interval: float
    alerts: dict[str, Alert] = {}
    """Newest state of each firing alert, and of each resolved one not yet flushed, by
    fingerprint."""
    notified_firing: tuple[str, ...] = ()
    """Fingerprints the channel was last told are firing (sorted)."""
    notified_resolved: tuple[str, ...] = ()
    """Fingerprints the last notification listed as resolved (sorted; a record only)."""
    last_notified_at: datetime | None = None
    """When the last notification was decided; repeats count from here."""
    next_flush_at: datetime | None = None
    """When to flush next; None while the group holds no alerts."""


class NotifyReason(enum.StrEnum):
    """Why a flush notified."""

    FIRST = "first"
    NEW_FIRING = "new_firing"
    RESOLVED = "resolved"
    REPEAT = "repeat"


class GroupNotification(msgspec.Struct, frozen=True):
    """What one group tells its channel: enough for an Alertmanager webhook v4 body."""

    group_key: str
    channel: str
    status: str
    """``firing`` when any alert fires, else ``resolved``."""
    reason: NotifyReason
    group_labels: dict[str, str]
    common_labels: dict[str, str]
    common_annotations: dict[str, str]
    firing: tuple[Alert, ...]
    """Every firing alert of the group (acknowledged ones too), oldest first."""
    resolved: tuple[Alert, ...]
    """Alerts the channel was told fire and that have resolved since (empty without
    ``send_resolved``)."""
    at: datetime


def is_firing(alert: Alert) -> bool:
    """Firing, or acknowledged after it fired (an acked pending alert is not firing)."""
    if alert.state is AlertState.ACKNOWLEDGED:
        return alert.fired_at is not None
    return alert.state is AlertState.FIRING


def group_labels(route: Route, labels: Mapping[str, str]) -> dict[str, str]:
    """The values of ``route.group_by`` in ``labels`` (missing labels are left out)."""
    if ALL_LABELS in route.group_by:
        return dict(sorted(labels.items()))
    return {name: labels[name] for name in sorted(route.group_by) if name in labels}


def group_key(route: Route, labels: Mapping[str, str]) -> str:
    """Alertmanager's groupKey for an alert with ``labels`` on ``route``: ``{}/{…}:{…}``."""
    inner = ",".join(
        f"{name}={msgspec.json.encode(value).decode()}"
        for name, value in group_labels(route, labels).items()
    )
    return f"{route.key}:{{{inner}}}"


def new_group(route: Route, channel: str, labels: Mapping[str, str]) -> Group:
    """An empty group of ``route`` for ``channel``, for alerts labelled like ``labels``."""
    return Group(
        key=group_key(route, labels),
        channel=channel,
        labels=group_labels(route, labels),
        group_wait=route.group_wait,
        group_interval=route.group_interval,
        repeat_interval=route.repeat_interval,
    )


def on_alert(group: Group, alert: Alert, now: datetime) -> Group:
    """``group`` after ``alert`` changed (fired, was acked or unacked, resolved, got a new value).

    A firing alert joins the group; the first one of an empty group starts ``group_wait``. A
    resolved alert is only recorded when the group holds it. Pending alerts never notify and
    are ignored. Nothing is sent here: :func:`flush` decides at the group's next tick.
    """
    known = alert.fingerprint in group.alerts
    if not (is_firing(alert) or (known and alert.state is AlertState.RESOLVED)):
        return group
    if not group.alerts:
        group = msgspec.structs.replace(
            group,
            notified_firing=(),
            notified_resolved=(),
            last_notified_at=None,
            next_flush_at=now + timedelta(seconds=group.group_wait),
        )
    alerts = {**group.alerts, alert.fingerprint: alert}
    notified = group.notified_firing
    if known and _severity_rose(group.alerts[alert.fingerprint], alert):
        # a warning that became critical is news again at the next tick
        notified = tuple(fp for fp in notified if fp != alert.fingerprint)
    return msgspec.structs.replace(group, alerts=alerts, notified_firing=notified)


def _severity_rose(before: Alert, after: Alert) -> bool:
    return severity_rank(after.severity) > severity_rank(before.severity)


def next_wakeup(group: Group) -> datetime | None:
    """When to call :func:`flush` next; None when the group is empty and may be deleted."""
    return group.next_flush_at if group.alerts else None


def flush(
    group: Group,
    now: datetime,
    send_resolved: bool,
    muted: Callable[[Alert], bool] | None = None,
) -> tuple[Group, GroupNotification | None]:
    """Decide at a group tick whether to notify, and move on to the next tick.

    Before :func:`next_wakeup` this changes nothing. Otherwise resolved alerts leave the group,
    the next tick is ``now + group_interval``, and a notification is returned when one is due
    (see the module docstring). Without ``send_resolved`` resolved alerts are forgotten
    silently, so an alert firing again later is news.

    Args:
        group: the group's state.
        now: the current time.
        send_resolved: whether the group's channel is told about resolved alerts.
        muted: whether an alert is held now: a firing one by a silence, maintenance or
            inhibition, a firing or resolved one while it flaps. A held alert is left out of
            this tick but stays in the group, which keeps ticking, so it is news at the first
            tick after it is released.

    Returns:
        The new state, and the notification to queue to ``group.channel`` (or None).
    """
    wakeup = next_wakeup(group)
    if wakeup is None or now < wakeup:
        return group, None
    held = {fp: a for fp, a in group.alerts.items() if muted is not None and muted(a)}
    if held:
        visible = msgspec.structs.replace(
            group, alerts={fp: a for fp, a in group.alerts.items() if fp not in held}
        )
        state, note = flush(visible, now, send_resolved)
        tick = state.next_flush_at
        if tick is None or tick <= now:  # nothing visible ticked: keep ticking for the held
            tick = now + timedelta(seconds=group.group_interval)
        return msgspec.structs.replace(
            state, alerts={**state.alerts, **held}, next_flush_at=tick
        ), note
    firing = {fp: a for fp, a in group.alerts.items() if is_firing(a)}
    newly_resolved = {
        fp: a for fp, a in group.alerts.items() if not is_firing(a) and fp in group.notified_firing
    }
    reason = _reason(group, firing, bool(newly_resolved) and send_resolved, now)
    next_flush_at = now + timedelta(seconds=group.group_interval) if firing else None
    if reason is None:
        still_notified = tuple(fp for fp in group.notified_firing if fp in firing)
        state = msgspec.structs.replace(
            group, alerts=firing, notified_firing=still_notified, next_flush_at=next_flush_at
        )
        return state, None
    listed_resolved = newly_resolved if send_resolved else {}
    state = msgspec.structs.replace(
        group,
        alerts=firing,
        notified_firing=tuple(sorted(firing)),
        notified_resolved=tuple(sorted(listed_resolved)),
        last_notified_at=now,
        next_flush_at=next_flush_at,
    )
    note = _notification(group, reason, firing.values(), listed_resolved.values(), now)
    return state, note


def route_alert(
    groups: Mapping[GroupRef, Group], tree: Route, alert: Alert, now: datetime
) -> dict[GroupRef, Group]:
    """``groups`` after ``alert`` changed: each group it belongs to (created as needed) updated.

    The alert belongs to one group per channel of every route :func:`match_routes` finds for
    its labels. Groups it does not belong to are returned unchanged.
    """
    updated = dict(groups)
    for route in match_routes(tree, alert.labels):
        for channel in route.channels:
            ref = (group_key(route, alert.labels), channel)
            group = updated.get(ref) or new_group(route, channel, alert.labels)
            changed = on_alert(group, alert, now)
            if changed.alerts or ref in updated:
                updated[ref] = changed
    return updated


def flush_due(
    groups: Mapping[GroupRef, Group],
    now: datetime,
    send_resolved: Mapping[str, bool],
    muted: Callable[[Alert], bool] | None = None,
) -> tuple[dict[GroupRef, Group], list[GroupNotification]]:
    """Flush every group whose wakeup has come.

    Args:
        groups: the groups by (group key, channel).
        now: the current time.
        send_resolved: each channel's ``send_resolved`` (a missing channel counts as true).
        muted: see :func:`flush`.

    Returns:
        The groups still holding alerts (delete the others), and the notifications to queue.
    """
    kept: dict[GroupRef, Group] = {}
    notes: list[GroupNotification] = []
    for ref, group in groups.items():
        group, note = flush(group, now, send_resolved.get(group.channel, True), muted)
        if note is not None:
            notes.append(note)
        if next_wakeup(group) is not None:
            kept[ref] = group
    return kept, notes


def _reason(
    group: Group, firing: Mapping[str, Alert], resolved_news: bool, now: datetime
) -> NotifyReason | None:
    """Why this flush notifies, or None when the channel already knows everything."""
    if set(firing) - set(group.notified_firing):
        return NotifyReason.NEW_FIRING if group.notified_firing else NotifyReason.FIRST
    if resolved_news:
        return NotifyReason.RESOLVED
    unacked = any(a.state is AlertState.FIRING for a in firing.values())
    last = group.last_notified_at
    # Ticks come every group_interval, so repeats are in effect rounded up to a multiple of
    # it, as in Alertmanager (https://github.com/prometheus/alertmanager/issues/917).
    repeat_due = last is not None and now - last >= timedelta(seconds=group.repeat_interval)
    return NotifyReason.REPEAT if unacked and repeat_due else None


def _notification(
    group: Group,
    reason: NotifyReason,
    firing: Iterable[Alert],
    resolved: Iterable[Alert],
    now: datetime,
) -> GroupNotification:
    """The message about ``firing`` and ``resolved`` alerts of ``group``."""
    firing_sorted = _oldest_first(firing)
    resolved_sorted = _oldest_first(resolved)
    everything = (*firing_sorted, *resolved_sorted)
    return GroupNotification(
        group_key=group.key,
        channel=group.channel,
        status="firing" if firing_sorted else "resolved",
        reason=reason,
        group_labels=dict(group.labels),
        common_labels=_common([a.labels for a in everything]),
        common_annotations=_common([a.annotations for a in everything]),
        firing=firing_sorted,
        resolved=resolved_sorted,
        at=now,
    )


def _oldest_first(alerts: Iterable[Alert]) -> tuple[Alert, ...]:
    return tuple(sorted(alerts, key=lambda a: (a.started_at, a.fingerprint)))


def _common(maps: list[dict[str, str]]) -> dict[str, str]:
    """The pairs all of (at least one) ``maps`` have: commonLabels and commonAnnotations."""
    first, *rest = maps
    shared = set(first.items()).intersection(*(m.items() for m in rest))
    return dict(sorted(shared))
