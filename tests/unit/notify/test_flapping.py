"""Flap detection: Nagios' weighted state change over 21 observations (behaviour 23)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.notify.flapping import (
    FlapEventKind,
    FlapState,
    FlapThresholds,
    can_forget,
    change_weight,
    flap_percent,
    is_flapping,
    observe,
)

BAD, OK = True, False  # a problem, OK


def notifications(series, state=None):
    """What a caller following the module's contract would send for ``series``."""
    state = state or FlapState()
    sent = []
    last = OK
    for is_problem in series:
        state, event = observe(state, is_problem)
        if event is not None:
            sent.append(event.kind.value)
            if event.send_recovery:
                sent.append("recovery")
            if event.send_problem:
                sent.append("problem")
        elif not is_flapping(state) and is_problem != last:
            sent.append("problem" if is_problem else "recovery")
        last = is_problem
    return state, sent


def test_change_weights_run_linearly_from_three_quarters_to_five_quarters():
    assert change_weight(1) == pytest.approx(0.75)
    assert change_weight(20) == pytest.approx(1.25)
    assert change_weight(11) - change_weight(10) == pytest.approx(0.5 / 19)
    assert sum(change_weight(i) for i in range(1, 21)) == pytest.approx(20)


def test_percent_is_weighted_changes_times_100_over_20():
    assert flap_percent((OK,) * 21) == 0
    assert flap_percent((OK,) * 20 + (BAD,)) == pytest.approx(1.25 * 100 / 20)
    assert flap_percent((BAD,) + (OK,) * 20) == pytest.approx(0.75 * 100 / 20)
    assert flap_percent((BAD, OK) * 10 + (BAD,)) == pytest.approx(100)


def test_short_history_counts_as_ok_before_it():
    assert flap_percent(()) == 0
    assert flap_percent((BAD,)) == pytest.approx(6.25)
    assert flap_percent((OK, OK, BAD)) == flap_percent((OK,) * 20 + (BAD,))


def test_only_the_last_21_states_count():
    assert flap_percent((BAD, OK) * 30 + (OK,) * 21) == 0


def test_behaviour_23_alternating_series_is_suppressed_with_one_notice_and_ends_with_one_recovery():
    flapping_series = [BAD, OK] * 8  # alternates well past 30 %
    state, sent = notifications([OK, OK, *flapping_series, *[OK] * 25])

    start = sent.index("flapping_started")
    assert sent[:start] == ["problem", "recovery", "problem", "recovery", "problem"]
    # one notice while it flaps, then silence until it settles: one stop and one recovery
    assert sent[start:] == ["flapping_started", "flapping_stopped", "recovery"]
    assert not is_flapping(state)


def test_behaviour_23_flapping_starts_at_30_percent_and_stops_at_20():
    state = FlapState()
    percents = []
    for is_problem in [BAD, OK] * 4:
        state, event = observe(state, is_problem)
        percents.append(state.percent)
        if event is not None:
            assert event.kind is FlapEventKind.STARTED
            assert state.percent >= 30 > percents[-2]
            break
    assert is_flapping(state)
    while is_flapping(state):
        state, event = observe(state, OK)
    assert event is not None and event.kind is FlapEventKind.STOPPED
    assert state.percent <= 20 < percents[-1]


def test_between_the_thresholds_nothing_changes():
    state = FlapState(history=(OK,) * 21)
    state, event = observe(state, BAD)  # 6.25 %
    for is_problem in [OK, BAD, OK]:  # 4 changes: about 24 %
        state, event = observe(state, is_problem)
        assert event is None
    assert 20 < state.percent < 30
    assert not is_flapping(state)
    flapping = FlapState(history=state.history, flapping=True, percent=state.percent)
    still, event = observe(flapping, OK)
    assert 20 < still.percent < 30 and is_flapping(still) and event is None


def test_flapping_that_stops_ok_sends_no_recovery_if_no_problem_was_notified():
    # a hair-trigger threshold: the very first problem starts flapping, so it is never sent
    hair_trigger = FlapState(thresholds=FlapThresholds(low=5, high=6))
    _, sent = notifications([BAD, *[OK] * 25], hair_trigger)
    assert sent == ["flapping_started", "flapping_stopped"]


def test_flapping_that_stops_in_an_unnotified_problem_sends_it_with_the_stop_notice():
    hair_trigger = FlapState(thresholds=FlapThresholds(low=5, high=6))
    state, sent = notifications([BAD, *[BAD] * 25], hair_trigger)
    assert sent == ["flapping_started", "flapping_stopped", "problem"]
    assert state.problem_notified


def test_flapping_that_stops_in_a_notified_problem_sends_nothing_more():
    state, sent = notifications([OK, *[BAD, OK] * 4, *[BAD] * 25])
    told = ["problem", "recovery", "problem", "recovery", "problem"]
    assert sent == [*told, "flapping_started", "flapping_stopped"]
    assert state.problem_notified


def test_custom_thresholds_are_honoured():
    strict = FlapState(thresholds=FlapThresholds(low=5, high=10))
    state, event = observe(strict, BAD)
    assert event is None
    state, event = observe(state, OK)
    assert event is not None and event.kind is FlapEventKind.STARTED


@pytest.mark.parametrize(("low", "high"), [(30, 20), (-1, 30), (20, 101)])
def test_thresholds_must_be_ordered_percentages(low, high):
    with pytest.raises(ValueError, match="low <= high"):
        FlapThresholds(low=low, high=high)


def test_a_quiet_state_can_be_forgotten_and_a_recent_problem_cannot():
    state, _ = notifications([OK] * 21)
    assert can_forget(state)
    state, _ = notifications([OK, BAD, OK])
    assert not can_forget(state)
    forgotten, _ = observe(FlapState(), BAD)
    kept, _ = observe(FlapState(history=(OK,) * 21), BAD)
    assert forgotten.percent == kept.percent


@given(st.lists(st.booleans(), max_size=80))
def test_percent_always_lies_between_0_and_100(series):
    state = FlapState()
    for is_problem in series:
        state, _ = observe(state, is_problem)
        assert 0 <= state.percent <= 100 + 1e-9


@given(st.lists(st.booleans(), max_size=120))
def test_started_and_stopped_alternate_and_match_the_flapping_flag(series):
    state = FlapState()
    kinds = []
    for is_problem in series:
        before = is_flapping(state)
        state, event = observe(state, is_problem)
        if event is not None:
            kinds.append(event.kind)
        assert (event is not None) == (before != is_flapping(state))
    assert kinds == [FlapEventKind.STARTED, FlapEventKind.STOPPED] * (len(kinds) // 2) + (
        [FlapEventKind.STARTED] if len(kinds) % 2 else []
    )
