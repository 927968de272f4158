"""Time intervals: Alertmanager's fields, time zones and DST, parsing errors (behaviour 17)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.domain.timeintervals import (
    DayRange,
    MinuteRange,
    TimeInterval,
    TimeIntervalError,
    contains,
    contains_any,
    next_interval_change,
    parse_time_interval,
    parse_time_intervals,
)
from hub.lib.yamlconf import parse_yaml

BERLIN = ZoneInfo("Europe/Berlin")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def berlin(*args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=BERLIN, fold=fold)


def evening(location: str = "UTC") -> TimeInterval:
    return parse_time_interval(
        {"times": [{"start_time": "17:00", "end_time": "24:00"}], "location": location}
    )


# Behaviour 17 ---------------------------------------------------------------------------------


def test_behaviour_17_evening_interval_includes_17_00_and_excludes_24_00():
    interval = evening()
    assert not contains(interval, utc(2026, 11, 26, 16, 59, 59))
    assert contains(interval, utc(2026, 11, 26, 17, 0))
    assert contains(interval, utc(2026, 11, 26, 23, 59, 59))
    assert not contains(interval, utc(2026, 11, 27, 0, 0))  # 24:00 is the next day's 00:00


def test_behaviour_17_time_zone_is_honoured():
    interval = evening("Europe/Berlin")
    # Winter (CET, UTC+1): 17:00 in Berlin is 16:00 UTC.
    assert contains(interval, utc(2026, 1, 15, 16, 0))
    assert not contains(interval, utc(2026, 1, 15, 15, 59))
    assert not contains(interval, utc(2026, 1, 15, 23, 0))  # midnight in Berlin
    # Summer (CEST, UTC+2): 17:00 in Berlin is 15:00 UTC.
    assert contains(interval, utc(2026, 7, 15, 15, 0))
    assert not contains(interval, utc(2026, 7, 15, 22, 0))
    # The same instants are read in the zone, whatever zone they are given in.
    assert contains(interval, berlin(2026, 7, 15, 17, 0))


# DST -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "opens_utc", "closes_utc"),
    [
        (utc(2026, 3, 29), utc(2026, 3, 29, 15, 0), utc(2026, 3, 29, 22, 0)),  # spring forward
        (utc(2026, 10, 25), utc(2026, 10, 25, 16, 0), utc(2026, 10, 25, 23, 0)),  # fall back
    ],
)
def test_evening_interval_on_dst_days_follows_local_time(day, opens_utc, closes_utc):
    interval = evening("Europe/Berlin")
    assert next_interval_change((interval,), day) == opens_utc
    assert next_interval_change((interval,), opens_utc) == closes_utc
    assert contains(interval, opens_utc)
    assert not contains(interval, opens_utc - timedelta(seconds=1))
    assert not contains(interval, closes_utc)


def test_local_hour_skipped_by_spring_forward_is_never_inside():
    night = parse_time_interval(
        {"times": [{"start_time": "02:00", "end_time": "03:00"}], "location": "Europe/Berlin"}
    )
    # 2026-03-29 02:00 CET jumps to 03:00 CEST at 01:00 UTC: no instant of that day is inside.
    assert next_interval_change((night,), utc(2026, 3, 28, 12, 0)) == utc(2026, 3, 30, 0, 0)
    assert not contains(night, utc(2026, 3, 29, 0, 59))
    assert not contains(night, utc(2026, 3, 29, 1, 0))


def test_local_hour_repeated_by_fall_back_is_inside_twice():
    night = parse_time_interval(
        {"times": [{"start_time": "02:00", "end_time": "03:00"}], "location": "Europe/Berlin"}
    )
    opens = next_interval_change((night,), utc(2026, 10, 24, 12, 0))
    assert opens == utc(2026, 10, 25, 0, 0)  # the first 02:00, still CEST
    assert next_interval_change((night,), opens) == utc(2026, 10, 25, 2, 0)  # 03:00 CET
    assert contains(night, berlin(2026, 10, 25, 2, 30, fold=1))  # 01:30 UTC, the second 02:30


# Days of month, weekdays, months, years -------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "inside", "outside"),
    [
        (["-1"], [utc(2028, 2, 29), utc(2027, 2, 28)], [utc(2028, 2, 28), utc(2028, 3, 30)]),
        (["-2:-1"], [utc(2028, 2, 28), utc(2027, 2, 27)], [utc(2028, 2, 27), utc(2027, 2, 26)]),
        (["25:31"], [utc(2028, 2, 29), utc(2027, 2, 28)], [utc(2028, 2, 24)]),
        (["30:31"], [utc(2028, 1, 30)], [utc(2028, 2, 29), utc(2028, 3, 1)]),  # none in Feb
        (["15:-1"], [utc(2028, 2, 15), utc(2028, 2, 29)], [utc(2028, 2, 14)]),
        (["1", "-1"], [utc(2028, 2, 1), utc(2028, 2, 29)], [utc(2028, 2, 2)]),
    ],
)
def test_negative_days_of_month_count_back_from_the_end(days, inside, outside):
    interval = parse_time_interval({"days_of_month": days})
    assert all(contains(interval, t) for t in inside)
    assert not any(contains(interval, t) for t in outside)


def test_weekday_ranges_are_inclusive():
    workdays = parse_time_interval({"weekdays": ["monday:friday"]})
    assert workdays.weekdays == (DayRange(1, 5),)
    monday, friday = utc(2026, 11, 23, 0, 0), utc(2026, 11, 27, 23, 59)
    assert contains(workdays, monday)
    assert contains(workdays, friday)
    assert not contains(workdays, utc(2026, 11, 28, 12, 0))  # Saturday
    assert not contains(workdays, utc(2026, 11, 22, 12, 0))  # Sunday


def test_weekdays_are_read_in_the_intervals_time_zone():
    sunday_in_tokyo = parse_time_interval({"weekdays": ["sunday"], "location": "Asia/Tokyo"})
    assert contains(sunday_in_tokyo, utc(2026, 11, 28, 15, 0))  # Saturday in UTC


def test_months_and_years_by_name_number_and_range():
    interval = parse_time_interval({"months": ["january:march", 12], "years": ["2026:2027"]})
    assert contains(interval, utc(2026, 2, 10))
    assert contains(interval, utc(2027, 12, 31))
    assert not contains(interval, utc(2026, 4, 1))
    assert not contains(interval, utc(2028, 1, 1))


def test_every_field_must_hold_and_any_interval_of_a_list_may():
    office, weekend = parse_time_intervals(
        [
            {
                "times": [{"start_time": "09:00", "end_time": "17:00"}],
                "weekdays": ["monday:friday"],
            },
            {"weekdays": ["saturday", "sunday"]},
        ]
    )
    assert not contains(office, utc(2026, 11, 28, 10, 0))  # right time, wrong day
    assert contains_any((office, weekend), utc(2026, 11, 28, 10, 0))
    assert not contains_any((office, weekend), utc(2026, 11, 27, 18, 0))  # Friday evening


def test_a_naive_instant_is_refused_rather_than_read_in_the_machines_zone():
    with pytest.raises(ValueError, match="no time zone"):
        contains(evening(), datetime(2026, 11, 26, 18, 0))


def test_an_empty_interval_always_holds():
    assert contains(TimeInterval(), utc(2026, 11, 26, 3, 14))
    assert next_interval_change((TimeInterval(),), utc(2026, 11, 26)) is None


# Parsing --------------------------------------------------------------------------------------


def test_alertmanager_yaml_with_unquoted_times_and_ranges_reads_as_written():
    doc = parse_yaml(
        "time_intervals:\n"
        "  - times:\n"
        "      - start_time: 17:00\n"
        "        end_time: 24:00\n"
        "      - start_time: 06:30\n"
        "        end_time: 08:00\n"
        "    days_of_month: [1:5, -1]\n"
        "    months: [1:3]\n"
        "    location: Europe/Berlin\n",
        "maintenance.yml",
    )
    (interval,) = parse_time_intervals(doc.data["time_intervals"], ("time_intervals",))
    assert interval.times == (MinuteRange(17 * 60, 24 * 60), MinuteRange(6 * 60 + 30, 8 * 60))
    assert interval.days_of_month == (DayRange(1, 5), DayRange(-1, -1))
    assert interval.months == (DayRange(1, 3),)
    assert interval.location == "Europe/Berlin"


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"weekdays": ["saturday:monday"]}, "weekdays[0]", "write 'saturday' and 'sunday:monday'"),
        ({"weekdays": ["monday:sunday"]}, "weekdays[0]", "write 'monday:saturday' and 'sunday'"),
        ({"weekdays": ["funday"]}, "weekdays[0]", "'funday' is not a weekday name"),
        ({"weekdays": "monday"}, "weekdays", "expected a list"),
        ({"days_of_month": [0]}, "days_of_month[0]", "0 is not a day of the month"),
        ({"days_of_month": ["32"]}, "days_of_month[0]", "'32' is not a day of the month"),
        ({"days_of_month": ["-1:5"]}, "days_of_month[0]", "end day must be negative"),
        ({"days_of_month": ["10:5"]}, "days_of_month[0]", "always before the start day"),
        ({"days_of_month": ["1:2:3"]}, "days_of_month[0]", "not a value or a START:END range"),
        ({"months": ["december:january"]}, "months[0]", "month ranges do not wrap"),
        ({"months": [13]}, "months[0]", "is not a month"),
        ({"months": ["janvier"]}, "months[0]", "'janvier' is not a month"),
        ({"years": ["2027:2026"]}, "years[0]", "end year is before the start year"),
        ({"times": [{"start_time": "17:00", "end_time": "17:00"}]}, "times[0].end_time", "after"),
        ({"times": [{"start_time": "24:01", "end_time": "24:00"}]}, "times[0].start_time", "24"),
        ({"times": [{"start_time": "5pm", "end_time": "24:00"}]}, "times[0].start_time", "'5pm'"),
        ({"times": [{"start_time": "09:00"}]}, "times[0].end_time", "None is not a time"),
        ({"times": [{"start": "09:00"}]}, "times[0].start", "unknown field"),
        ({"location": "Mars/Olympus"}, "location", "'Mars/Olympus' is not an IANA time zone"),
        ({"location": "Local"}, "location", "use an IANA time zone"),
        ({"weekday": ["monday"]}, "weekday", "unknown field"),
    ],
)
def test_invalid_intervals_name_the_field_and_value(body, field, message):
    with pytest.raises(TimeIntervalError, match=message) as caught:
        parse_time_intervals([body], ("maintenance", 0, "time_intervals"))
    assert caught.value.path[:3] == ("maintenance", 0, "time_intervals")
    assert str(caught.value).startswith(f"maintenance[0].time_intervals[0].{field}: ")


def test_intervals_must_be_a_list_of_mappings():
    with pytest.raises(TimeIntervalError, match="expected a non-empty list"):
        parse_time_intervals({"weekdays": ["monday"]}, ("time_intervals",))
    with pytest.raises(TimeIntervalError, match="expected a mapping") as caught:
        parse_time_intervals(["monday"], ("time_intervals",))
    assert caught.value.path == ("time_intervals", 0)


def test_interval_errors_become_config_errors_with_file_and_line():
    doc = parse_yaml("intervals:\n  - weekdays:\n      - monday\n      - friday:monday\n", "m.yml")
    with pytest.raises(TimeIntervalError) as caught:
        parse_time_intervals(doc.data["intervals"], ("intervals",))
    error = doc.error(caught.value.path, caught.value.reason)
    assert str(error).startswith("m.yml:4: intervals[0].weekdays[1]: 'friday:monday': ")


# Properties -----------------------------------------------------------------------------------

minute_of_day = st.integers(0, 1439)
instants = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
)


@given(start=minute_of_day, length=st.integers(1, 1440), instant=instants)
def test_times_hold_exactly_from_start_inclusive_to_end_exclusive(start, length, instant):
    end = min(start + length, 1440)
    interval = TimeInterval(times=(MinuteRange(start, end),))
    minute = instant.hour * 60 + instant.minute
    assert contains(interval, instant) == (start <= minute < end)


@given(
    start=minute_of_day,
    length=st.integers(1, 600),
    weekday=st.integers(0, 6),
    location=st.sampled_from(["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe"]),
    now=instants,
    fraction=st.floats(0, 1, exclude_max=True),
)
def test_next_change_is_the_first_instant_at_which_membership_flips(
    start, length, weekday, location, now, fraction
):
    interval = TimeInterval(
        times=(MinuteRange(start, min(start + length, 1440)),),
        weekdays=(DayRange(weekday, weekday),),
        location=location,
    )
    change = next_interval_change((interval,), now)
    assert change is not None
    # A week, or two when DST skips the one occurrence (02:00 on a spring-forward Sunday).
    assert change - now <= timedelta(days=15)
    assert contains(interval, change) != contains(interval, now)
    between = min(now + (change - now) * fraction, change - timedelta(microseconds=1))
    assert contains(interval, between) == contains(interval, now)
