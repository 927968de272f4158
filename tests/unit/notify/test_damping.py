"""Notification damping: Netdata's ``delay: up U down D multiplier M max X`` (behaviour 24)."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.domain.rules import Severity
from hub.notify.damping import (
    Change,
    DampingPolicy,
    DampingState,
    Status,
    due,
    next_due,
    parse_delay,
    submit,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)
NETDATA_EXAMPLE = DampingPolicy(up=10, down=15 * 60, multiplier=2, max=3600)


def at(seconds):
    return T0 + timedelta(seconds=seconds)


def run(policy, changes, until):
    """Submit ``changes`` ({second: status}) and tick every second; returns (second, status)."""
    state = DampingState(policy=policy)
    sent = []
    for second in range(until + 1):
        if second in changes:
            state = submit(state, Change(changes[second]), at(second))
        state, released = due(state, at(second))
        sent += [(second, held.change.status) for held in released]
    return state, sent


def test_behaviour_24_a_change_superseded_inside_its_delay_is_never_sent():
    policy = DampingPolicy(up=60, down=60)
    _, sent = run(policy, {0: Status.WARNING, 30: Status.CRITICAL}, until=600)
    assert sent == [(90, Status.CRITICAL)]  # the warning was superseded: never sent


def test_behaviour_24_a_blip_that_clears_inside_its_up_delay_sends_nothing_at_all():
    policy = DampingPolicy(up=60, down=0)
    _, sent = run(policy, {0: Status.CRITICAL, 20: Status.OK}, until=600)
    assert sent == []  # the critical was superseded, and an OK nobody was told about is news


def test_a_change_not_superseded_is_sent_when_its_delay_is_over():
    state = submit(DampingState(policy=DampingPolicy(up=10)), Change(Status.WARNING, "e1"), T0)
    assert next_due(state) == at(10)
    state, released = due(state, at(9))
    assert released == []
    state, released = due(state, at(10))
    assert [(h.change.ref, h.previous, h.changed_at) for h in released] == [("e1", Status.OK, T0)]
    assert next_due(state) is None
    assert due(state, at(11))[1] == []


def test_up_delay_for_worse_down_delay_for_better():
    policy = DampingPolicy(up=10, down=100)
    _, sent = run(policy, {0: Status.CRITICAL, 50: Status.WARNING, 400: Status.OK}, until=600)
    assert sent == [(10, Status.CRITICAL), (150, Status.WARNING), (500, Status.OK)]


def test_netdata_example_delays_multiply_while_a_notification_is_held():
    # https://github.com/netdata/netdata/blob/master/src/health/REFERENCE.md#alert-line-delay
    state = DampingState(policy=NETDATA_EXAMPLE)
    due_times = []
    for second, status in [(1, Status.WARNING), (5, Status.OK), (6, Status.WARNING)]:
        state = submit(state, Change(status), at(second))
        due_times.append(next_due(state))
    state = submit(state, Change(Status.OK), at(7))
    due_times.append(next_due(state))
    # up 10s; down 15m x2; up 10s x2 x2; down 15m x2 x2 x2 capped at max 1h
    assert due_times == [at(11), at(5 + 1800), at(6 + 40), at(7 + 3600)]


def test_delays_relax_back_once_the_held_notification_fell_due():
    state = DampingState(policy=NETDATA_EXAMPLE)
    state = submit(state, Change(Status.WARNING), at(0))
    state = submit(state, Change(Status.CRITICAL), at(5))  # held: multiplied
    assert next_due(state) == at(5 + 20)
    state, _ = due(state, at(25))
    state = submit(state, Change(Status.WARNING), at(30))  # after the hold: back to D
    assert next_due(state) == at(30 + 900)


def test_default_max_is_the_larger_delay_multiplied_once():
    policy = DampingPolicy(up=10, down=60, multiplier=3)
    assert policy.max_delay == 180
    state = DampingState(policy=policy)
    for second, status in enumerate([Status.WARNING, Status.OK, Status.WARNING, Status.OK]):
        state = submit(state, Change(status), at(second))
    assert next_due(state) == at(3 + 180)
    assert DampingPolicy(up=10, max=30).max_delay == 30


def test_the_status_last_sent_is_not_sent_again():
    policy = DampingPolicy(up=10, down=100)
    changes = {0: Status.WARNING, 20: Status.OK, 50: Status.WARNING}
    _, sent = run(policy, changes, until=600)
    assert sent == [(10, Status.WARNING)]  # back to warning before the OK went out


def test_no_policy_holds_nothing():
    _, sent = run(DampingPolicy(), {3: Status.CRITICAL, 4: Status.OK}, until=10)
    assert sent == [(3, Status.CRITICAL), (4, Status.OK)]


def test_submitting_the_current_status_is_not_a_change():
    state = submit(DampingState(policy=DampingPolicy(up=10)), Change(Status.WARNING), T0)
    assert submit(state, Change(Status.WARNING), at(5)) == state


def test_status_of_a_severity():
    assert Status.of(None) is Status.OK
    assert Status.of(Severity.INFO) is Status.INFO
    assert Status.of(Severity.CRITICAL) > Status.of(Severity.WARNING) > Status.OK


def test_parse_netdata_delay_line():
    assert parse_delay("up 10s down 15m multiplier 2 max 1h") == NETDATA_EXAMPLE
    assert parse_delay("down 1m") == DampingPolicy(down=60)
    assert parse_delay("") == DampingPolicy()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("up", "pairs"),
        ("up soon", "duration"),
        ("sideways 10s", "unknown word 'sideways'"),
        ("multiplier x", "must be a number"),
        ("multiplier 0.5", "at least 1"),
    ],
)
def test_parse_delay_names_what_is_wrong(text, message):
    with pytest.raises(ValueError, match=message):
        parse_delay(text)


def test_a_shrinking_multiplier_is_refused_in_any_form():
    with pytest.raises(ValueError, match="at least 1"):
        DampingPolicy(multiplier=0.5)


STATUSES = st.sampled_from(list(Status))


@given(
    policy=st.builds(
        DampingPolicy,
        up=st.integers(0, 60),
        down=st.integers(0, 300),
        multiplier=st.sampled_from([1.0, 1.5, 2.0]),
    ),
    steps=st.lists(st.tuples(st.integers(0, 120), STATUSES), max_size=40),
)
def test_only_the_newest_change_is_ever_sent(policy, steps):
    state = DampingState(policy=policy)
    now = T0
    newest = None
    for gap, status in steps:
        now += timedelta(seconds=gap)
        state, released = due(state, now)
        for held in released:
            assert held.change.ref == newest  # nothing submitted after it
            assert held.due_at <= now
        state = submit(state, Change(status, ref=f"{now.isoformat()}-{status}"), now)
        if state.held is not None and state.held.changed_at == now:
            newest = state.held.change.ref
