"""Maintenance windows: one-off and recurring, matchers, next change, parsing."""

from datetime import UTC, datetime, timedelta

import pytest

from hub.domain.maintenance import (
    MaintenanceWindow,
    active,
    in_maintenance,
    next_change,
    parse_maintenance_window,
    parse_maintenance_windows,
)
from hub.domain.matchers import Matcher, MatchOp
from hub.domain.timeintervals import TimeIntervalError
from hub.lib.yamlconf import parse_yaml

START = datetime(2026, 11, 26, 20, 0, tzinfo=UTC)
DB1 = {"alertname": "cpu_high", "host": "db1"}
WEB1 = {"alertname": "cpu_high", "host": "web1"}


def upgrade_window() -> MaintenanceWindow:
    return parse_maintenance_window(
        {
            "name": "db upgrade",
            "matchers": ["host=~db.*"],
            "start": "2026-11-26T21:00:00+01:00",
            "end": "2026-11-26T23:00:00+01:00",
        }
    )


def backup_window() -> MaintenanceWindow:
    """Every weekday from 02:00 to 03:00 Berlin time, for every alert."""
    doc = parse_yaml(
        "maintenance:\n"
        "  - name: nightly backup\n"
        "    comment: disks are busy\n"
        "    time_intervals:\n"
        "      - times: [{start_time: 02:00, end_time: 03:00}]\n"
        "        weekdays: ['monday:friday']\n"
        "        location: Europe/Berlin\n",
        "monitoring.yml",
    )
    (window,) = parse_maintenance_windows(doc.data["maintenance"], ("maintenance",))
    return window


def test_one_off_window_mutes_matching_alerts_from_start_to_just_before_end():
    window = upgrade_window()
    assert not active(window, DB1, START - timedelta(seconds=1))
    assert active(window, DB1, START)
    assert active(window, DB1, START + timedelta(hours=2) - timedelta(seconds=1))
    assert not active(window, DB1, START + timedelta(hours=2))
    assert not active(window, WEB1, START + timedelta(minutes=5))


def test_window_without_matchers_mutes_every_alert():
    window = backup_window()
    assert window.matchers == ()
    friday_night = datetime(2026, 11, 27, 1, 30, tzinfo=UTC)  # 02:30 in Berlin
    assert in_maintenance(DB1, [window], friday_night) == (window,)
    assert in_maintenance(WEB1, [window], friday_night) == (window,)
    saturday_night = friday_night + timedelta(days=1)
    assert in_maintenance(DB1, [window], saturday_night) == ()


def test_next_change_of_a_one_off_window_is_its_start_then_its_end():
    window = upgrade_window()
    assert next_change(window, START - timedelta(days=1)) == START
    assert next_change(window, START) == START + timedelta(hours=2)
    assert next_change(window, START + timedelta(hours=2)) is None
    assert next_change(window, START - timedelta(days=10), within=timedelta(days=1)) is None


def test_next_change_of_a_recurring_window_skips_the_weekend():
    window = backup_window()
    friday_after_backup = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
    monday_0200_berlin = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
    assert next_change(window, friday_after_backup) == monday_0200_berlin
    assert next_change(window, monday_0200_berlin) == monday_0200_berlin + timedelta(hours=1)


def test_yaml_timestamps_with_an_offset_are_accepted():
    doc = parse_yaml(
        "- name: move\n  matchers: ['service=\"api\"']\n"
        "  start: 2026-11-26 21:00:00+01:00\n  end: 2026-11-26T22:00:00Z\n",
        "m.yml",
    )
    (window,) = parse_maintenance_windows(doc.data)
    assert (window.start, window.end) == (START, START + timedelta(hours=2))
    assert window.matchers == (Matcher("service", MatchOp.EQ, "api"),)


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"matchers": ["host=db1"], "start": "2026-11-26T20:00:00Z"}, "end", "expected a time"),
        ({"start": "2026-11-26T20:00:00", "end": "2026-11-26T21:00:00Z"}, "start", "no UTC offset"),
        ({"start": "2026-11-26T20:00:00Z", "end": "2026-11-26T20:00:00Z"}, "end", "after start"),
        ({"start": "tonight", "end": "2026-11-26T21:00:00Z"}, "start", "'tonight' is not a time"),
        (
            {"time_intervals": [{"weekdays": ["sunday"]}], "end": "2026-11-26T21:00:00Z"},
            "",
            "either",
        ),
        ({}, "", "give either start and end, or time_intervals"),
        ({"time_intervals": []}, "time_intervals", "non-empty list"),
        ({"matchers": ["host"], "time_intervals": [{}]}, "matchers[0]", "not a matcher"),
        ({"matchers": "host=db1", "time_intervals": [{}]}, "matchers", "expected a list"),
        ({"name": " ", "time_intervals": [{}]}, "name", "required"),
        ({"when": "later", "time_intervals": [{}]}, "when", "unknown field"),
    ],
)
def test_invalid_windows_name_the_field(body, field, message):
    data = {"name": "w", **body}
    with pytest.raises(TimeIntervalError, match=message) as caught:
        parse_maintenance_windows([data], ("maintenance",))
    where = f"maintenance[0].{field}" if field else "maintenance[0]"
    assert str(caught.value).startswith(f"{where}: ")


def test_window_names_are_unique():
    body = {"name": "w", "time_intervals": [{"weekdays": ["sunday"]}]}
    with pytest.raises(TimeIntervalError, match="duplicate name 'w'") as caught:
        parse_maintenance_windows([body, body], ("maintenance",))
    assert caught.value.path == ("maintenance", 1, "name")


def test_a_window_list_and_a_window_must_have_the_right_shape():
    with pytest.raises(TimeIntervalError, match="expected a list of maintenance windows"):
        parse_maintenance_windows({"name": "w"})
    with pytest.raises(TimeIntervalError, match="expected a mapping"):
        parse_maintenance_windows(["w"])
