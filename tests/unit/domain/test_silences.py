"""Silences: states, muting, expiry, edits and requests (behaviour 16)."""

from datetime import UTC, datetime, timedelta

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.domain.matchers import Matcher, MatchOp
from hub.domain.silences import (
    Silence,
    SilenceChanges,
    SilenceError,
    SilenceExpiredError,
    SilenceRequest,
    SilenceState,
    expire,
    is_silenced,
    new_silence,
    parse_matcher,
    parse_silence_request,
    silenced_by,
    update,
)

T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
TICK = timedelta(seconds=10)
DB1_API = {"alertname": "cpu_high", "host": "db1", "service": "api"}


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def silence(*matchers: Matcher, starts: float = 0, ends: float = 60) -> Silence:
    """A silence created at T0, from ``starts`` to ``ends`` minutes after T0."""
    request = SilenceRequest(
        matchers=matchers or (Matcher("host", MatchOp.EQ, "db1"),),
        starts_at=T0 + minutes(starts),
        ends_at=T0 + minutes(ends),
        created_by="ana",
        comment="disk swap",
    )
    return new_silence("s1", request, T0)


# Behaviour 16 ---------------------------------------------------------------------------------


def test_behaviour_16_pending_silence_has_no_effect():
    pending = silence(starts=30)
    assert pending.state(T0) is SilenceState.PENDING
    assert not is_silenced(DB1_API, [pending], T0)
    assert not is_silenced(DB1_API, [pending], T0 + minutes(30) - TICK)
    assert is_silenced(DB1_API, [pending], T0 + minutes(30))  # starts_at is inclusive


def test_behaviour_16_active_silence_suppresses_only_when_all_matchers_hold():
    both = silence(Matcher("host", MatchOp.EQ, "db1"), Matcher("service", MatchOp.RE, "api|web"))
    assert both.state(T0) is SilenceState.ACTIVE
    assert silenced_by(DB1_API, [both], T0) == (both,)
    assert not is_silenced({**DB1_API, "service": "mail"}, [both], T0)
    assert not is_silenced({**DB1_API, "host": "db2"}, [both], T0)


def test_behaviour_16_expiring_lets_a_still_firing_alert_notify_at_the_next_tick():
    active = silence()
    now = T0 + minutes(5)
    assert is_silenced(DB1_API, [active], now)
    expired = expire(active, now)
    assert expired.ends_at == now
    assert expired.state(now) is SilenceState.EXPIRED
    assert not is_silenced(DB1_API, [expired], now)
    assert not is_silenced(DB1_API, [expired], now + TICK)


def test_behaviour_16_expired_silence_cannot_be_edited():
    old = silence(ends=10)
    later = T0 + minutes(10)  # ends_at is exclusive: expired from here on
    assert old.state(later) is SilenceState.EXPIRED
    with pytest.raises(SilenceExpiredError, match="cannot be edited"):
        update(old, SilenceChanges(comment="more time"), later, new_id="s2")
    with pytest.raises(SilenceExpiredError, match="already expired"):
        expire(old, later)


# States, expiry --------------------------------------------------------------------------------


def test_expiring_a_pending_silence_moves_both_ends_to_now():
    pending = silence(starts=30)
    expired = expire(pending, T0 + minutes(1))
    assert (expired.starts_at, expired.ends_at) == (T0 + minutes(1), T0 + minutes(1))
    assert expired.state(T0 + minutes(1)) is SilenceState.EXPIRED
    assert expired.updated_at == T0 + minutes(1)


def test_a_start_in_the_past_becomes_now_when_the_silence_is_created():
    made = silence(starts=-30)
    assert made.starts_at == T0
    assert (made.created_at, made.updated_at) == (T0, T0)


@given(
    start=st.integers(-10_000, 10_000),
    length=st.integers(1, 10_000),
    first=st.integers(-20_000, 20_000),
    step=st.integers(0, 20_000),
)
def test_silence_state_never_goes_back_in_time(start, length, first, step):
    made = Silence(
        "s", (Matcher("a", MatchOp.EQ, "b"),), T0 + minutes(start), T0 + minutes(start + length),
        "ana", "c", T0, T0,
    )  # fmt: skip
    order = list(SilenceState)
    earlier = made.state(T0 + minutes(first))
    later = made.state(T0 + minutes(first + step))
    assert order.index(earlier) <= order.index(later)


@given(offset=st.integers(0, 89), after=st.integers(0, 10_000))
def test_an_expired_silence_stays_expired(offset, after):
    made = silence(starts=30, ends=90)
    now = T0 + minutes(offset)
    assert expire(made, now).state(now + minutes(after)) is SilenceState.EXPIRED


# Edits -----------------------------------------------------------------------------------------


def test_editing_comment_and_end_of_an_active_silence_happens_in_place():
    active = silence()
    now = T0 + minutes(5)
    edit = update(
        active, SilenceChanges(ends_at=T0 + minutes(120), comment="longer"), now, new_id="s2"
    )
    assert edit.replaced is None
    assert edit.silence.id == "s1"
    assert (edit.silence.ends_at, edit.silence.comment) == (T0 + minutes(120), "longer")
    assert (edit.silence.created_at, edit.silence.updated_at) == (T0, now)


def test_changing_matchers_of_an_active_silence_expires_it_and_starts_a_new_one():
    active = silence()
    now = T0 + minutes(5)
    wider = (Matcher("host", MatchOp.RE, "db.*"),)
    edit = update(active, SilenceChanges(matchers=wider, created_by="bo"), now, new_id="s2")
    assert edit.replaced is not None
    assert (edit.replaced.id, edit.replaced.ends_at) == ("s1", now)
    assert edit.replaced.matchers == active.matchers  # what it muted stays on record
    new = edit.silence
    assert (new.id, new.matchers, new.created_by) == ("s2", wider, "bo")
    assert (new.starts_at, new.ends_at, new.created_at) == (now, active.ends_at, now)
    assert is_silenced({"host": "db7"}, [edit.replaced, new], now)


def test_moving_the_start_of_an_active_silence_replaces_it():
    active = silence()
    edit = update(active, SilenceChanges(starts_at=T0 + minutes(30)), T0 + minutes(5), new_id="s2")
    assert edit.replaced is not None
    assert edit.silence.starts_at == T0 + minutes(30)
    assert edit.silence.state(T0 + minutes(5)) is SilenceState.PENDING


def test_a_pending_silence_can_be_moved_in_place_but_not_into_the_past():
    pending = silence(starts=30)
    later = update(pending, SilenceChanges(starts_at=T0 + minutes(45)), T0, new_id="s2")
    assert (later.replaced, later.silence.id) == (None, "s1")
    earlier = update(pending, SilenceChanges(starts_at=T0 - minutes(5)), T0, new_id="s2")
    assert earlier.replaced is not None
    assert earlier.silence.starts_at == T0
    assert earlier.replaced.state(T0) is SilenceState.EXPIRED


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (SilenceChanges(ends_at=T0 + minutes(1)), "in the past"),
        (SilenceChanges(matchers=()), "at least one matcher"),
        (SilenceChanges(matchers=(Matcher("host", MatchOp.RE, ".*"),)), "every alert"),
        (SilenceChanges(ends_at=datetime(2026, 11, 27)), "no time zone"),
    ],
)
def test_an_edit_that_would_make_an_invalid_silence_is_refused(changes, message):
    with pytest.raises(SilenceError, match=message):
        update(silence(), changes, T0 + minutes(5), new_id="s2")


# Requests --------------------------------------------------------------------------------------


def test_cli_request_with_matchers_and_a_duration():
    request = parse_silence_request(
        {
            "matchers": ["host=db1", 'service=~"api|web"', "env!=test", "job!~batch.*"],
            "duration": "2h",
            "comment": "disk swap",
            "created_by": "ana",
        },
        T0,
    )
    assert request.matchers == (
        Matcher("host", MatchOp.EQ, "db1"),
        Matcher("service", MatchOp.RE, "api|web"),
        Matcher("env", MatchOp.NE, "test"),
        Matcher("job", MatchOp.NRE, "batch.*"),
    )
    assert (request.starts_at, request.ends_at) == (T0, T0 + timedelta(hours=2))
    made = new_silence("s9", request, T0)
    assert made.mutes({"host": "db1", "service": "web", "job": "cron"}, T0)


def test_api_request_with_matcher_mappings_and_rfc3339_times():
    request = parse_silence_request(
        {
            "matchers": [{"label": "host", "op": "=", "value": "db1"}],
            "starts_at": "2026-11-26T13:00:00Z",
            "ends_at": "2026-11-26T15:00:00+01:00",
            "comment": "upgrade",
            "created_by": "ana",
        },
        T0,
    )
    assert request.starts_at == T0 + minutes(60)
    assert request.ends_at == T0 + minutes(120)


def test_request_times_may_be_datetimes_and_matchers_may_be_matchers():
    matcher = Matcher("host", MatchOp.EQ, "db1")
    request = parse_silence_request(
        {
            "matchers": [matcher],
            "starts_at": T0 + minutes(10),
            "ends_at": T0 + minutes(20),
            "comment": "c",
            "created_by": "ana",
        },
        T0,
    )
    assert (request.matchers, request.starts_at) == ((matcher,), T0 + minutes(10))


def test_quoted_matcher_values_are_unescaped():
    assert parse_matcher(r'msg="say \"hi\""') == Matcher("msg", MatchOp.EQ, 'say "hi"')
    assert parse_matcher(" path = a=b ") == Matcher("path", MatchOp.EQ, "a=b")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"matchers": ["host"]}, "matchers[0]", "is not a matcher like label=value"),
        ({"matchers": ["host=~("]}, "matchers[0]", "bad regex"),
        ({"matchers": "host=db1"}, "matchers", "expected a list"),
        ({"matchers": ["host=~.*", "env!=x"]}, "matchers", "must not match the empty string"),
        ({"duration": "soon"}, "duration", "expected a duration"),
        ({"duration": 0}, "duration", "more than zero"),
        ({"ends_at": "2026-11-26T18:00:00Z"}, "ends_at", "exactly one of ends_at or duration"),
        ({"duration": None, "ends_at": "2026-11-26T11:00:00Z"}, "ends_at", "must be after"),
        ({"starts_at": "tomorrow"}, "starts_at", "is not a time"),
        ({"starts_at": "2026-11-27T10:00:00"}, "starts_at", "no time zone"),
        ({"comment": " "}, "comment", "required"),
        ({"created_by": None}, "created_by", "required"),
        ({"until": "5pm"}, "until", "unknown field"),
        ({"starts_at": 1764158400}, "starts_at", "expected a time"),
        ({"matchers": [{"label": "host-name", "op": "=", "value": "x"}]}, "matchers[0]", "label"),
        ({"matchers": [{"label": "host", "op": "=~", "value": "("}]}, "matchers[0]", "bad regex"),
        ({"matchers": [{"label": "host", "op": "~", "value": "x"}]}, "matchers[0]", "Invalid"),
    ],
)
def test_invalid_requests_name_the_field(changes, field, message):
    data = {"matchers": ["host=db1"], "duration": "2h", "comment": "c", "created_by": "ana"}
    data.update(changes)
    data = {k: v for k, v in data.items() if v is not None}
    with pytest.raises(SilenceError, match=message) as caught:
        parse_silence_request(data, T0)
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ")


@given(
    label=st.from_regex(r"[a-z_][a-z0-9_]{0,8}", fullmatch=True),
    op=st.sampled_from([MatchOp.EQ, MatchOp.NE]),
    value=st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=12),
)
def test_a_quoted_matcher_value_parses_back_to_itself(label, op, value):
    quoted = value.replace("\\", "\\\\").replace('"', '\\"')
    assert parse_matcher(f'{label}{op}"{quoted}"') == Matcher(label, op, value)


def test_a_silence_round_trips_through_json_for_the_store_and_the_api():
    made = silence(Matcher("service", MatchOp.RE, "api|web"))
    assert msgspec.json.decode(msgspec.json.encode(made), type=Silence) == made
