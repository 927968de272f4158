"""Time intervals (Alertmanager's ``time_intervals``): when a recurring schedule holds.

Pure functions of their arguments; the instant to test is always passed in. Semantics follow
Alertmanager (https://prometheus.io/docs/alerting/latest/configuration/#time_interval and
``timeinterval/timeinterval.go``): every given field must hold and an absent one holds always;
``times`` start inclusive, end exclusive, ``24:00`` allowed; weekday, month and year ranges
are inclusive and never wrap; negative days of month count from the end (``-1`` = last day);
fields are read in the interval's ``location`` (IANA time zone, default UTC).
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from hub.lib.yamlconf import PathKey, format_path

WEEKDAY_NAMES = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
MONTH_NAMES = tuple(name.lower() for name in calendar.month_name[1:])
_INTERVAL_KEYS = ("times", "weekdays", "days_of_month", "months", "years", "location")
DEFAULT_HORIZON = timedelta(days=366)
_SEARCH_STEP = timedelta(days=7)


class TimeIntervalError(ValueError):
    """A time interval or maintenance window that cannot be used.

    ``path`` locates the offending value inside the data given to the parser (a
    ``hub.lib.yamlconf`` path: prefix it and pass it to ``YamlDoc.error`` to get file and
    line); ``reason`` says what is wrong.
    """

    def __init__(self, path: PathKey, reason: str) -> None:
        self.path = path
        self.reason = reason
        where = format_path(path)
        super().__init__(f"{where}: {reason}" if where else reason)


class MinuteRange(msgspec.Struct, frozen=True):
    """Minutes after local midnight, ``start`` inclusive, ``end`` exclusive (1440 = 24:00)."""

    start: int
    end: int


class DayRange(msgspec.Struct, frozen=True):
    """An inclusive range of weekdays (0 = Sunday), days of month, months (1-12) or years."""

    start: int
    end: int


class TimeInterval(msgspec.Struct, frozen=True):
    """When an interval holds: every non-empty field must match (empty = any)."""

    times: tuple[MinuteRange, ...] = ()
    weekdays: tuple[DayRange, ...] = ()
    days_of_month: tuple[DayRange, ...] = ()
    """Negative days count from the end of the month: -1 is the last day."""
    months: tuple[DayRange, ...] = ()
    years: tuple[DayRange, ...] = ()
    location: str = "UTC"
    """IANA time zone in which the fields above are read."""


def contains(interval: TimeInterval, instant: datetime) -> bool:
    """Whether the aware ``instant`` falls inside ``interval``.

    Raises:
        ValueError: ``instant`` is naive (it would be read in the machine's time zone).
    """
    if instant.tzinfo is None:
        raise ValueError(f"{instant.isoformat()} has no time zone")
    local = instant.astimezone(ZoneInfo(interval.location))
    minute = local.hour * 60 + local.minute
    if interval.times and not any(r.start <= minute < r.end for r in interval.times):
        return False
    if interval.days_of_month and not _in_days_of_month(interval.days_of_month, local):
        return False
    return (
        _in_ranges(interval.weekdays, local.isoweekday() % 7)
        and _in_ranges(interval.months, local.month)
        and _in_ranges(interval.years, local.year)
    )


def contains_any(intervals: Iterable[TimeInterval], instant: datetime) -> bool:
    """Whether any of ``intervals`` contains ``instant``."""
    return any(contains(interval, instant) for interval in intervals)


def next_interval_change(
    intervals: tuple[TimeInterval, ...], now: datetime, within: timedelta = DEFAULT_HORIZON
) -> datetime | None:
    """The first instant (UTC) after ``now`` at which ``contains_any`` flips; None if there is
    none within ``within`` (default a year; the search goes a week at a time).

    Membership can only change where local wall-clock time crosses midnight or a ``times``
    bound, or where the UTC offset changes (DST), so only those instants are tried.
    """
    inside = contains_any(intervals, now)
    until = now + within
    start = now
    while start < until:  # a week at a time, so that a near change is found quickly
        end = min(start + _SEARCH_STEP, until)
        for candidate in _boundaries(intervals, start, end):
            if contains_any(intervals, candidate) != inside:
                return candidate
        start = end
    return None


def interval_changes(
    intervals: tuple[TimeInterval, ...], after: datetime, until: datetime
) -> list[datetime]:
    """Every instant (UTC) in (``after``, ``until``] at which ``contains_any`` flips, in order:
    one pass over the candidate boundaries, for listing a range's occurrences."""
    inside = contains_any(intervals, after)
    changes = []
    for candidate in _boundaries(intervals, after, until):
        if contains_any(intervals, candidate) != inside:
            inside = not inside
            changes.append(candidate)
    return changes


def parse_time_intervals(data: object, path: PathKey = ()) -> tuple[TimeInterval, ...]:
    """Time intervals from a YAML-shaped list of mappings.

    Raises:
        TimeIntervalError: names the offending field and value.
    """
    if not isinstance(data, list) or not data:
        raise TimeIntervalError(path, f"expected a non-empty list of time intervals, got {data!r}")
    return tuple(parse_time_interval(item, (*path, i)) for i, item in enumerate(data))


def parse_time_interval(data: object, path: PathKey = ()) -> TimeInterval:
    """One time interval from a YAML-shaped mapping, in Alertmanager's format::

        times: [{start_time: "17:00", end_time: "24:00"}]
        weekdays: ["monday:friday", saturday]
        days_of_month: ["1:5", -1]
        months: ["january:march", 12]
        years: ["2026:2027"]
        location: Europe/Berlin

    Unquoted ``17:00`` or ``1:5`` are read by YAML 1.1 as base-60 numbers (1020, 65); they
    are accepted and read back as written.

    Raises:
        TimeIntervalError: names the offending field and value.
    """
    body = _mapping(data, path, _INTERVAL_KEYS)
    location = _location(body.get("location", "UTC"), (*path, "location"))
    return TimeInterval(
        times=tuple(
            _minute_range(item, (*path, "times", i))
            for i, item in enumerate(_list(body, "times", path))
        ),
        weekdays=_ranges(body, "weekdays", path, _weekday_range),
        days_of_month=_ranges(body, "days_of_month", path, _day_of_month_range),
        months=_ranges(body, "months", path, _month_range),
        years=_ranges(body, "years", path, _year_range),
        location=location,
    )


def _in_ranges(ranges: tuple[DayRange, ...], value: int) -> bool:
    """True for no ranges, else whether ``value`` lies in one of them."""
    return not ranges or any(r.start <= value <= r.end for r in ranges)


def _in_days_of_month(ranges: tuple[DayRange, ...], local: datetime) -> bool:
    """Whether ``local``'s day is in a range, negative days counted back from month end."""
    last = calendar.monthrange(local.year, local.month)[1]
    for r in ranges:
        start = r.start if r.start > 0 else last + r.start + 1
        end = r.end if r.end > 0 else last + r.end + 1
        # A start beyond this month's end (31 in April) matches nothing; an end beyond it is
        # clamped to the last day, as in Alertmanager.
        if max(start, 1) <= local.day <= min(end, last):
            return True
    return False


def _boundaries(
    intervals: tuple[TimeInterval, ...], after: datetime, until: datetime
) -> list[datetime]:
    """Sorted instants in (after, until] where some interval's membership may change."""
    found: set[datetime] = set()
    for interval in intervals:
        zone = ZoneInfo(interval.location)
        minutes = {0} | {m for r in interval.times for m in (r.start, r.end) if m < 1440}
        day = after.astimezone(zone).date() - timedelta(days=1)
        while day <= until.astimezone(zone).date() + timedelta(days=1):
            for minute in minutes:
                wall = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=zone)
                found.update(wall.replace(fold=f).astimezone(UTC) for f in (0, 1))
            found.update(_offset_changes(day, zone))
            day += timedelta(days=1)
    return sorted(t for t in found if after < t <= until)


def _offset_changes(day: date, zone: ZoneInfo) -> list[datetime]:
    """The instant, if any, during the UTC day ``day`` at which ``zone``'s UTC offset changes."""
    low = datetime.combine(day, time(), tzinfo=UTC)
    high = low + timedelta(days=1)
    if low.astimezone(zone).utcoffset() == high.astimezone(zone).utcoffset():
        return []
    while high - low > timedelta(seconds=1):  # offsets change at most once a day: bisect
        middle = low + (high - low) / 2
        if middle.astimezone(zone).utcoffset() == low.astimezone(zone).utcoffset():
            low = middle
        else:
            high = middle
    return [high.replace(microsecond=0)]


def _mapping(data: object, path: PathKey, keys: tuple[str, ...]) -> dict[str, object]:
    if not isinstance(data, dict):
        raise TimeIntervalError(path, f"expected a mapping, got {data!r}")
    for key in data:
        if key not in keys:
            raise TimeIntervalError(
                (*path, str(key)), f"unknown field (expected one of {', '.join(keys)})"
            )
    return {str(k): v for k, v in data.items()}


def _list(body: dict[str, object], field: str, path: PathKey) -> list[object]:
    value = body.get(field) or []
    if not isinstance(value, list):
        raise TimeIntervalError((*path, field), f"expected a list, got {value!r}")
    return value


def _location(location: object, path: PathKey) -> str:
    """An IANA time zone name that zoneinfo knows."""
    if not isinstance(location, str) or location == "Local":
        raise TimeIntervalError(path, f"{location!r}: use an IANA time zone like Europe/Berlin")
    try:
        ZoneInfo(location)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise TimeIntervalError(
            path, f"{location!r} is not an IANA time zone like Europe/Berlin"
        ) from None
    return location


def _minute_range(item: object, path: PathKey) -> MinuteRange:
    body = _mapping(item, path, ("start_time", "end_time"))
    start = _minute_of_day(body.get("start_time"), (*path, "start_time"))
    end = _minute_of_day(body.get("end_time"), (*path, "end_time"))
    if start >= end:
        raise TimeIntervalError((*path, "end_time"), "end_time must be after start_time")
    return MinuteRange(start, end)


def _minute_of_day(value: object, path: PathKey) -> int:
    """``"HH:MM"`` (00:00 to 24:00) as minutes after midnight; YAML's base-60 ints accepted."""
    if isinstance(value, int) and not isinstance(value, bool) and 60 <= value <= 1440:
        hours, minutes = divmod(value, 60)  # unquoted 17:00 arrives as 17 * 60 + 0
    elif (
        isinstance(value, str)
        and len(value) == 5
        and value[2] == ":"
        and (value[:2] + value[3:]).isdigit()
    ):
        hours, minutes = int(value[:2]), int(value[3:])
    else:
        raise TimeIntervalError(path, f"{value!r} is not a time like '09:00' or '24:00'")
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        raise TimeIntervalError(path, f"{value!r} is not a time between 00:00 and 24:00")
    return hours * 60 + minutes


def _ranges(
    body: dict[str, object], field: str, path: PathKey, read: Callable[[object, PathKey], DayRange]
) -> tuple[DayRange, ...]:
    """Every item of the list ``body[field]`` read by ``read``."""
    items = _list(body, field, path)
    return tuple(read(item, (*path, field, i)) for i, item in enumerate(items))


def _weekday_range(item: object, path: PathKey) -> DayRange:
    """``monday`` or ``monday:friday``; Sunday is day 0 and ranges do not wrap."""
    start, end = _bounds(item, path, _weekday, base60=False)
    if start > end:
        head = _range_text(WEEKDAY_NAMES[start], "saturday")
        tail = _range_text("sunday", WEEKDAY_NAMES[end])
        raise TimeIntervalError(
            path,
            f"{item!r}: weekday ranges do not wrap around the week, which runs sunday to "
            f"saturday; write '{head}' and '{tail}' as two items",
        )
    return DayRange(start, end)


def _range_text(first: str, last: str) -> str:
    return first if first == last else f"{first}:{last}"


def _month_range(item: object, path: PathKey) -> DayRange:
    """``january``, ``1``, ``january:march`` or ``1:3``; ranges do not wrap."""
    start, end = _bounds(item, path, _month, base60=True)
    if start > end:
        raise TimeIntervalError(
            path, f"{item!r}: month ranges do not wrap; write two ranges (e.g. '11:12' and '1:2')"
        )
    return DayRange(start, end)


def _year_range(item: object, path: PathKey) -> DayRange:
    """``2026`` or ``2026:2028``."""
    start, end = _bounds(item, path, _year, base60=False)
    if start > end:
        raise TimeIntervalError(path, f"{item!r}: the end year is before the start year")
    return DayRange(start, end)


def _day_of_month_range(item: object, path: PathKey) -> DayRange:
    """``1``, ``-1``, ``1:5``, ``-3:-1`` or ``15:-1``, checked as Alertmanager does."""
    start, end = _bounds(item, path, _day_of_month, base60=True)
    if start < 0 < end:
        raise TimeIntervalError(path, f"{item!r}: the end day must be negative if the start is")
    # Negative days are only known per month; reject ranges that are empty even in February.
    if (start if start > 0 else 28 + start) > (end if end > 0 else 28 + end):
        raise TimeIntervalError(path, f"{item!r}: the end day is always before the start day")
    return DayRange(start, end)


def _bounds(
    item: object, path: PathKey, read: Callable[[str, object, PathKey], int], *, base60: bool
) -> tuple[int, int]:
    """The two ends of ``START:END`` or of a single value (both ends equal).

    With ``base60`` an integer of 60 or more is taken as YAML 1.1's reading of unquoted
    ``A:B`` (``1:5`` arrives as 65).
    """
    if isinstance(item, int) and not isinstance(item, bool):
        parts: list[object] = list(divmod(item, 60)) if base60 and item >= 60 else [item]
    elif isinstance(item, str) and 1 <= len(item.split(":")) <= 2 and all(item.split(":")):
        parts = [part.strip() for part in item.split(":")]
    else:
        raise TimeIntervalError(path, f"{item!r} is not a value or a START:END range")
    values = [read(str(part).lower(), item, path) for part in parts]
    return values[0], values[-1]


def _weekday(text: str, item: object, path: PathKey) -> int:
    if text not in WEEKDAY_NAMES:
        raise TimeIntervalError(path, f"{item!r}: {text!r} is not a weekday name like monday")
    return WEEKDAY_NAMES.index(text)


def _month(text: str, item: object, path: PathKey) -> int:
    if text in MONTH_NAMES:
        return MONTH_NAMES.index(text) + 1
    return _number_in(text, item, path, 1, 12, "a month (1-12 or a name like january)")


def _year(text: str, item: object, path: PathKey) -> int:
    return _number_in(text, item, path, 1, 9999, "a year")


def _day_of_month(text: str, item: object, path: PathKey) -> int:
    day = _number_in(text, item, path, -31, 31, "a day of the month (1 to 31, or -31 to -1)")
    if day == 0:
        raise TimeIntervalError(
            path, f"{item!r}: 0 is not a day of the month (1 to 31, or -31 to -1)"
        )
    return day


def _number_in(text: str, item: object, path: PathKey, low: int, high: int, what: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = low - 1
    if not low <= number <= high:
        raise TimeIntervalError(path, f"{item!r}: {text!r} is not {what}")
    return number
