"""Aggregation groups: when a group is notified, driven by hand with injected times."""

from datetime import UTC, datetime, timedelta

import msgspec

from hub.domain.alerts import Alert, AlertState
from hub.domain.rules import Severity
from hub.notify.grouping import (
    Group,
    NotifyReason,
    flush,
    flush_due,
    group_key,
    new_group,
    next_wakeup,
    on_alert,
    route_alert,
)
from hub.notify.routing import Route, parse_routes_text

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ROUTE = Route(channels=("ops",), group_wait=2, group_interval=300, repeat_interval=4 * 3600)


def at(seconds):
    return T0 + timedelta(seconds=seconds)


def alert(name="container_down", state=AlertState.FIRING, fired=0, **labels):
    labels = {"alertname": "container_down", "severity": "critical", "name": name, **labels}
    fired_at = at(fired)
    return Alert(
        id=abs(hash(name)) % 1000,
        fingerprint=f"fp-{name}",
        rule="container_down",
        state=state,
        severity=Severity.CRITICAL,
        labels=labels,
        annotations={"summary": "container down", "name": name},
        value=0.0,
        started_at=fired_at,
        fired_at=fired_at,
    )


def resolved(name, when):
    return msgspec.structs.replace(alert(name), state=AlertState.RESOLVED, resolved_at=at(when))


def acked(name):
    return msgspec.structs.replace(alert(name), state=AlertState.ACKNOWLEDGED)


class Scheduler:
    """A caller that flushes the group exactly at each wakeup and records what it sent."""

    def __init__(self, route=ROUTE, send_resolved=True):
        self.group = new_group(route, "ops", alert().labels)
        self.send_resolved = send_resolved
        self.sent = []
        self.now = T0

    def run_until(self, seconds):
        end = at(seconds)
        while (wake := next_wakeup(self.group)) is not None and wake <= end:
            self.now = wake
            self.group, note = flush(self.group, wake, self.send_resolved)
            if note is not None:
                self.sent.append(note)
        self.now = end

    def event(self, seconds, changed):
        self.run_until(seconds)
        self.group = on_alert(self.group, changed, at(seconds))

    def times(self):
        return [(note.at - T0).total_seconds() for note in self.sent]


def names(alerts):
    return [a.labels["name"] for a in alerts]


def test_behaviour_10_two_alerts_of_one_group_within_group_wait_make_one_notification():
    run = Scheduler()
    run.event(0, alert("web"))
    run.event(1.5, alert("db", fired=1.5))
    run.run_until(3600)
    (note,) = run.sent
    assert note.at == at(2)  # group_wait after the first alert
    assert note.reason is NotifyReason.FIRST
    assert names(note.firing) == ["web", "db"]


def test_behaviour_10_an_alert_that_resolves_inside_group_wait_sends_nothing():
    run = Scheduler()
    run.event(0, alert("web"))
    run.event(1, resolved("web", 1))
    run.run_until(24 * 3600)
    assert run.sent == []
    assert next_wakeup(run.group) is None  # empty: the caller may delete it


def test_five_containers_dying_at_once_are_one_notification_listing_five():
    run = Scheduler()
    for index, name in enumerate(["web", "db", "cache", "queue", "worker"]):
        run.event(index * 0.3, alert(name, fired=index * 0.3))
    run.run_until(600)
    (note,) = run.sent
    assert len(note.firing) == 5
    assert note.status == "firing"
    assert note.group_labels == {"alertname": "container_down"}
    assert note.common_labels == {"alertname": "container_down", "severity": "critical"}
    assert note.common_annotations == {"summary": "container down"}
    assert (note.at - T0).total_seconds() <= 10  # fault-to-phone budget


def test_behaviour_11_an_alert_joining_a_notified_group_goes_out_at_the_next_interval_tick():
    run = Scheduler()
    run.event(0, alert("web"))
    run.event(60, alert("db", fired=60))
    run.run_until(301)
    assert run.times() == [2]  # not at 60 s, when db joined
    run.run_until(302)
    assert run.times() == [2, 302]  # group_wait + group_interval
    assert run.sent[1].reason is NotifyReason.NEW_FIRING
    assert names(run.sent[1].firing) == ["web", "db"]


def test_behaviour_12_an_unchanged_firing_group_renotifies_only_after_repeat_interval():
    run = Scheduler()
    run.event(0, alert("web"))
    run.run_until(2 + 4 * 3600 - 1)
    assert run.times() == [2]
    run.run_until(2 + 8 * 3600)
    assert run.times() == [2, 2 + 4 * 3600, 2 + 8 * 3600]
    assert [n.reason for n in run.sent[1:]] == [NotifyReason.REPEAT] * 2


def test_behaviour_12_a_change_restarts_the_repeat_interval():
    run = Scheduler()
    run.event(0, alert("web"))
    run.event(3600, alert("db", fired=3600))  # goes out at the tick 2 + 12*300 = 3602
    run.run_until(3602 + 4 * 3600 - 1)
    assert run.times() == [2, 3602]
    run.run_until(3602 + 4 * 3600)
    assert run.times() == [2, 3602, 3602 + 4 * 3600]


def test_repeat_interval_is_rounded_up_to_a_multiple_of_group_interval():
    run = Scheduler(msgspec.structs.replace(ROUTE, repeat_interval=7 * 60))
    run.event(0, alert("web"))
    run.run_until(2 + 20 * 60)
    assert run.times() == [2, 2 + 10 * 60, 2 + 20 * 60]  # 7 m becomes 10 m


def test_resolved_alerts_are_notified_and_then_leave_the_group():
    run = Scheduler()
    run.event(0, alert("web"))
    run.event(0, alert("db"))
    run.event(100, resolved("db", 100))
    run.run_until(302)
    some = run.sent[1]
    assert (some.reason, some.status) == (NotifyReason.RESOLVED, "firing")
    assert (names(some.firing), names(some.resolved)) == (["web"], ["db"])
    assert set(run.group.alerts) == {"fp-web"}
    run.event(400, resolved("web", 400))
    run.run_until(602)
    last = run.sent[2]
    assert (last.status, names(last.firing), names(last.resolved)) == ("resolved", [], ["web"])
    assert next_wakeup(run.group) is None
    run.run_until(24 * 3600)
    assert len(run.sent) == 3


def test_an_alert_that_fires_and_resolves_between_two_notifications_sends_nothing():
    run = Scheduler()
    run.event(0, alert("web"))
    run.event(50, alert("db", fired=50))
    run.event(100, resolved("db", 100))
    run.run_until(4 * 3600)
    assert run.times() == [2]


def test_behaviour_13_send_resolved_false_sends_no_resolved_message():
    run = Scheduler(send_resolved=False)
    run.event(0, alert("web"))
    run.event(0, alert("db"))
    run.event(100, resolved("db", 100))
    run.event(400, resolved("web", 400))
    run.run_until(3600)
    assert run.times() == [2]
    assert next_wakeup(run.group) is None


def test_behaviour_13_without_send_resolved_the_next_firing_counts_as_first():
    run = Scheduler(send_resolved=False)
    run.event(0, alert("web"))
    run.event(100, resolved("web", 100))
    run.event(1000, alert("web", fired=1000))
    run.run_until(3600)
    assert run.times() == [2, 1002]  # group_wait again, not the next interval tick
    assert run.sent[1].reason is NotifyReason.FIRST


def test_without_send_resolved_an_alert_that_fires_again_beside_others_is_news():
    run = Scheduler(send_resolved=False)
    run.event(0, alert("web"))
    run.event(0, alert("db"))
    run.event(100, resolved("db", 100))
    run.event(400, alert("db", fired=400))
    run.run_until(1000)
    assert run.times() == [2, 602]
    assert run.sent[1].reason is NotifyReason.NEW_FIRING


def test_without_send_resolved_news_about_others_does_not_list_the_resolved():
    run = Scheduler(send_resolved=False)
    run.event(0, alert("web"))
    run.event(0, alert("db"))
    run.event(100, resolved("db", 100))
    run.event(150, alert("cache", fired=150))
    run.run_until(302)
    note = run.sent[-1]
    assert (note.reason, names(note.firing), note.resolved) == (
        NotifyReason.NEW_FIRING,
        ["web", "cache"],
        (),
    )


def test_ack_stops_repeats_and_unack_brings_them_back():
    run = Scheduler()
    run.event(0, alert("web"))
    run.event(60, acked("web"))
    run.run_until(24 * 3600)
    assert run.times() == [2]
    run.event(24 * 3600, alert("web"))  # unacknowledged: firing again
    run.run_until(24 * 3600 + 300)
    assert run.times() == [2, 2 + 24 * 3600]  # the next interval tick
    assert run.sent[1].reason is NotifyReason.REPEAT


def test_an_acked_alert_is_still_listed_and_its_resolve_still_notified():
    run = Scheduler()
    run.event(0, alert("web"))
    run.event(0, alert("db"))
    run.event(60, acked("web"))
    run.event(4 * 3600, resolved("web", 4 * 3600))
    run.run_until(4 * 3600 + 300)
    note = run.sent[-1]
    assert (note.reason, names(note.resolved), names(note.firing)) == (
        NotifyReason.RESOLVED,
        ["web"],
        ["db"],
    )


def test_pending_alerts_and_unknown_resolved_alerts_do_not_touch_the_group():
    group = new_group(ROUTE, "ops", alert().labels)
    pending = msgspec.structs.replace(alert("web"), state=AlertState.PENDING, fired_at=None)
    acked_pending = msgspec.structs.replace(pending, state=AlertState.ACKNOWLEDGED)
    for changed in (pending, acked_pending, resolved("web", 5)):
        assert on_alert(group, changed, at(5)) == group


def test_flush_before_the_wakeup_changes_nothing():
    group = on_alert(new_group(ROUTE, "ops", alert().labels), alert("web"), T0)
    assert flush(group, at(1), send_resolved=True) == (group, None)


def test_group_key_and_state_survive_a_restart_without_renotifying():
    run = Scheduler()
    run.event(0, alert("web"))
    run.run_until(100)
    stored = msgspec.json.encode(run.group)
    restored = msgspec.json.decode(stored, type=Group)
    assert restored == run.group
    assert restored.key == '{}:{alertname="container_down"}'
    assert restored.key == group_key(ROUTE, alert("db").labels)  # recomputed after restart
    run.group = restored
    run.run_until(4 * 3600)
    assert run.times() == [2]  # the restored group knows it already told the channel
    run.run_until(2 + 4 * 3600)
    assert run.times() == [2, 2 + 4 * 3600]


def test_a_restart_that_missed_ticks_flushes_once_on_the_first_call():
    group = on_alert(new_group(ROUTE, "ops", alert().labels), alert("web"), T0)
    group, note = flush(group, at(2), send_resolved=True)
    group = on_alert(group, alert("db", fired=50), at(50))
    group = msgspec.json.decode(msgspec.json.encode(group), type=Group)
    group, note = flush(group, at(3 * 3600), send_resolved=True)  # down for hours
    assert note is not None and names(note.firing) == ["web", "db"]
    assert next_wakeup(group) == at(3 * 3600 + 300)


def test_group_by_puts_alerts_with_other_values_in_other_groups():
    route = msgspec.structs.replace(ROUTE, group_by=("alertname", "host"))
    a = alert("web", host="a")
    b = alert("db", host="b")
    assert group_key(route, a.labels) != group_key(route, b.labels)
    assert new_group(route, "ops", a.labels).labels == {"alertname": "container_down", "host": "a"}
    everything = msgspec.structs.replace(ROUTE, group_by=("...",))
    assert new_group(everything, "ops", a.labels).labels == a.labels
    assert new_group(msgspec.structs.replace(ROUTE, group_by=()), "ops", a.labels).labels == {}


TREE = """
routes:
  channels: [ops]
  routes:
    - severity: [critical]
      channels: [phone, ops]
      continue: true
    - matchers: ['name="web"']
      channels: [web]
"""


def test_route_alert_and_flush_due_drive_every_route_and_channel():
    tree = parse_routes_text(TREE)
    groups = route_alert({}, tree, alert("web"), T0)
    groups = route_alert(groups, tree, alert("db"), T0)
    assert sorted(channel for _, channel in groups) == ["ops", "phone", "web"]
    groups, notes = flush_due(groups, at(1), {})
    assert notes == []
    groups, notes = flush_due(groups, at(2), {"ops": False})
    # web is critical (continue: true) and also matches the second route.
    assert sorted((n.channel, names(n.firing)) for n in notes) == [
        ("ops", ["db", "web"]),
        ("phone", ["db", "web"]),  # same start: by fingerprint
        ("web", ["web"]),
    ]
    assert len({n.group_key for n in notes}) == 2  # one key per route, shared by its channels
    for name in ("web", "db"):
        groups = route_alert(groups, tree, resolved(name, 100), at(100))
    groups, notes = flush_due(groups, at(302), {"ops": False})
    assert sorted((n.channel, n.status) for n in notes) == [
        ("phone", "resolved"),
        ("web", "resolved"),
    ]
    assert groups == {}  # every group emptied: the caller deletes them


def test_a_resolved_alert_never_seen_creates_no_group():
    assert route_alert({}, parse_routes_text(TREE), resolved("web", 5), at(5)) == {}


def test_a_muted_alert_is_held_the_group_keeps_ticking_ahead_and_it_is_news_when_unmuted():
    group = on_alert(new_group(ROUTE, "ops", alert().labels), alert("web"), T0)
    silenced = {"fp-web"}

    def muted(a):
        return a.fingerprint in silenced

    group, note = flush(group, at(2), True, muted)
    assert note is None
    assert "fp-web" in group.alerts
    assert next_wakeup(group) == at(2 + 300)  # ahead of now: no busy loop while muted
    group, note = flush(group, at(302), True, muted)
    assert note is None and next_wakeup(group) == at(602)
    silenced.clear()  # the silence ends
    group, note = flush(group, at(602), True, muted)
    assert note is not None and note.reason is NotifyReason.FIRST
    assert [a.fingerprint for a in note.firing] == ["fp-web"]
