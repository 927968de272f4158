"""Occurrences of maintenance windows in a range: one-off, recurring across DST, clipping."""

from datetime import UTC, datetime, timedelta

import pytest

from hub.domain.maintenance import MaintenanceWindow, parse_maintenance_window
from hub.domain.maintenance_occurrences import MAX_OCCURRENCES, Occurrence, occurrences


def nightly(location: str = "Europe/Berlin") -> MaintenanceWindow:
    """Every day from 02:00 to 03:00 local time."""
    return parse_maintenance_window(
        {
            "name": "nightly backup",
            "time_intervals": [
                {"times": [{"start_time": "02:00", "end_time": "03:00"}], "location": location}
            ],
        }
    )


def one_off() -> MaintenanceWindow:
    return parse_maintenance_window(
        {
            "name": "db upgrade",
            "start": "2026-11-26T21:00:00+01:00",
            "end": "2026-11-26T23:00:00+01:00",
        }
    )


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def test_recurring_window_follows_its_time_zone_across_the_dst_change() -> None:
    # Berlin leaves summer time on 2026-10-25 at 03:00 CEST (01:00 UTC).
    found = occurrences(nightly(), utc(2026, 10, 23, 12), utc(2026, 10, 27, 12))
    assert found == [
        Occurrence(utc(2026, 10, 24, 0), utc(2026, 10, 24, 1)),  # 02:00-03:00 CEST
        # 02:00 happens twice on the 25th: the window holds from the first 02:00 CEST
        # until 03:00 CET (two hours).
        Occurrence(utc(2026, 10, 25, 0), utc(2026, 10, 25, 2)),
        Occurrence(utc(2026, 10, 26, 1), utc(2026, 10, 26, 2)),  # 02:00-03:00 CET
        Occurrence(utc(2026, 10, 27, 1), utc(2026, 10, 27, 2)),
    ]


def test_recurring_window_in_the_spring_forward_gap() -> None:
    # Berlin skips 02:00-03:00 on 2026-03-29: that night the window does not hold.
    found = occurrences(nightly(), utc(2026, 3, 28, 12), utc(2026, 3, 30, 12))
    assert found == [Occurrence(utc(2026, 3, 30, 0), utc(2026, 3, 30, 1))]


def test_occurrences_are_clipped_to_the_range_and_say_so() -> None:
    found = occurrences(nightly("UTC"), utc(2026, 5, 1, 2, 30), utc(2026, 5, 2, 2, 15))
    assert found == [
        Occurrence(utc(2026, 5, 1, 2, 30), utc(2026, 5, 1, 3), clipped_start=True),
        Occurrence(utc(2026, 5, 2, 2), utc(2026, 5, 2, 2, 15), clipped_end=True),
    ]


def test_an_occurrence_starting_or_ending_at_the_range_bounds_is_not_clipped() -> None:
    found = occurrences(nightly("UTC"), utc(2026, 5, 1, 2), utc(2026, 5, 1, 3))
    assert found == [Occurrence(utc(2026, 5, 1, 2), utc(2026, 5, 1, 3))]
    # One opening exactly at the end of the range lies outside it (end is exclusive).
    assert occurrences(nightly("UTC"), utc(2026, 5, 1, 3), utc(2026, 5, 2, 2)) == []


def test_one_off_window_inside_overlapping_and_outside_the_range() -> None:
    window = one_off()
    assert occurrences(window, utc(2026, 11, 26), utc(2026, 11, 27)) == [
        Occurrence(utc(2026, 11, 26, 20), utc(2026, 11, 26, 22))
    ]
    assert occurrences(window, utc(2026, 11, 26, 21), utc(2026, 11, 27)) == [
        Occurrence(utc(2026, 11, 26, 21), utc(2026, 11, 26, 22), clipped_start=True)
    ]
    assert occurrences(window, utc(2026, 11, 26, 20), utc(2026, 11, 26, 21)) == [
        Occurrence(utc(2026, 11, 26, 20), utc(2026, 11, 26, 21), clipped_end=True)
    ]
    assert occurrences(window, utc(2026, 11, 27), utc(2026, 11, 28)) == []
    assert occurrences(window, utc(2026, 11, 25), utc(2026, 11, 26)) == []


def test_many_occurrences_are_capped() -> None:
    hourly = parse_maintenance_window(
        {
            "name": "every hour",
            "time_intervals": [
                {"times": [{"start_time": f"{h:02}:00", "end_time": f"{h:02}:30"}]}
                for h in range(24)
            ],
        }
    )
    start = utc(2026, 1, 1)
    found = occurrences(hourly, start, start + timedelta(days=60))
    assert len(found) == MAX_OCCURRENCES
    assert found[-1].start == start + timedelta(hours=MAX_OCCURRENCES - 1)


def test_bad_ranges_are_refused_with_the_reason() -> None:
    with pytest.raises(ValueError, match="must be after"):
        occurrences(nightly(), utc(2026, 5, 2), utc(2026, 5, 1))
    with pytest.raises(ValueError, match="time zone"):
        occurrences(nightly(), datetime(2026, 5, 1), utc(2026, 5, 2))
