"""Maintenance windows: one-off or recurring times in which matching alerts do not notify.

A window mutes notifications only; alerts still change state and keep their history (the
caller decides that; this module gives the predicate). Pure functions; ``now`` is passed in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

import msgspec

from hub.domain.matchers import Matcher, all_match
from hub.domain.silences import parse_matcher
from hub.domain.timeintervals import (
    DEFAULT_HORIZON,
    TimeInterval,
    TimeIntervalError,
    contains_any,
    next_interval_change,
    parse_time_intervals,
)
from hub.lib.yamlconf import PathKey

_WINDOW_KEYS = ("name", "matchers", "start", "end", "time_intervals", "comment")


class MaintenanceWindow(msgspec.Struct, frozen=True):
    """A named window that mutes notifications of the alerts it matches.

    Either one-off (``start`` inclusive to ``end`` exclusive, aware datetimes) or recurring
    (``time_intervals``, any of which holding means inside). No matchers = every alert.
    """

    name: str
    matchers: tuple[Matcher, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    time_intervals: tuple[TimeInterval, ...] = ()
    comment: str = ""


def in_window(window: MaintenanceWindow, now: datetime) -> bool:
    """Whether ``now`` is inside ``window``'s time (labels aside)."""
    if window.start is not None and window.end is not None:
        return window.start <= now < window.end
    return contains_any(window.time_intervals, now)


def active(window: MaintenanceWindow, labels: Mapping[str, str], now: datetime) -> bool:
    """Whether ``window`` mutes notifications of an alert with ``labels`` at ``now``."""
    return in_window(window, now) and all_match(window.matchers, labels)


def in_maintenance(
    labels: Mapping[str, str], windows: Iterable[MaintenanceWindow], now: datetime
) -> tuple[MaintenanceWindow, ...]:
    """The windows that mute an alert with ``labels`` at ``now`` (empty: none does)."""
    return tuple(w for w in windows if active(w, labels, now))


def next_change(
    window: MaintenanceWindow, now: datetime, within: timedelta = DEFAULT_HORIZON
) -> datetime | None:
    """When ``window`` next opens or closes after ``now``; None if not within ``within``.

    Useful to schedule the re-check that lets muted alerts notify once the window closes.
    """
    if window.start is not None and window.end is not None:
        upcoming = [t for t in (window.start, window.end) if now < t <= now + within]
        return min(upcoming, default=None)
    return next_interval_change(window.time_intervals, now, within)


def parse_maintenance_windows(data: object, path: PathKey = ()) -> tuple[MaintenanceWindow, ...]:
    """Maintenance windows from a YAML-shaped list; names must be unique.

    Raises:
        TimeIntervalError: names the offending field (``path``) and value.
    """
    if not isinstance(data, list):
        raise TimeIntervalError(path, f"expected a list of maintenance windows, got {data!r}")
    windows = [parse_maintenance_window(item, (*path, i)) for i, item in enumerate(data)]
    seen: set[str] = set()
    for index, window in enumerate(windows):
        if window.name in seen:
            raise TimeIntervalError((*path, index, "name"), f"duplicate name {window.name!r}")
        seen.add(window.name)
    return tuple(windows)


def parse_maintenance_window(data: object, path: PathKey = ()) -> MaintenanceWindow:
    """One window from a YAML-shaped mapping.

    Keys: ``name``; ``matchers`` (``["host=db1", "service=~api|web"]``, default every alert);
    ``comment``; and either ``start`` + ``end`` (times with a UTC offset) or
    ``time_intervals`` (see ``parse_time_interval``).

    Raises:
        TimeIntervalError: names the offending field (``path``) and value.
    """
    if not isinstance(data, dict):
        raise TimeIntervalError(path, f"expected a mapping, got {data!r}")
    for key in data:
        if key not in _WINDOW_KEYS:
            expected = ", ".join(_WINDOW_KEYS)
            raise TimeIntervalError(
                (*path, str(key)), f"unknown field (expected one of {expected})"
            )
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise TimeIntervalError((*path, "name"), "required: a non-empty name")
    window = MaintenanceWindow(
        name=name.strip(),
        matchers=_matchers(data.get("matchers") or [], (*path, "matchers")),
        comment=str(data.get("comment") or ""),
    )
    one_off = "start" in data or "end" in data
    if one_off == ("time_intervals" in data):
        raise TimeIntervalError(path, "give either start and end, or time_intervals")
    if not one_off:
        intervals = parse_time_intervals(data["time_intervals"], (*path, "time_intervals"))
        return msgspec.structs.replace(window, time_intervals=intervals)
    start = _instant(data.get("start"), (*path, "start"))
    end = _instant(data.get("end"), (*path, "end"))
    if end <= start:
        raise TimeIntervalError(
            (*path, "end"), f"{end.isoformat()} must be after start {start.isoformat()}"
        )
    return msgspec.structs.replace(window, start=start, end=end)


def _matchers(items: object, path: PathKey) -> tuple[Matcher, ...]:
    """Matchers from a list of ``label=value`` strings."""
    if not isinstance(items, list):
        raise TimeIntervalError(path, f"expected a list like ['host=db1'], got {items!r}")
    matchers = []
    for index, item in enumerate(items):
        try:
            matchers.append(parse_matcher(str(item)))
        except ValueError as exc:
            raise TimeIntervalError((*path, index), str(exc)) from None
    return tuple(matchers)


def _instant(value: object, path: PathKey) -> datetime:
    """An aware datetime from a datetime (YAML timestamp) or ISO 8601 text."""
    example = "a time with an offset like 2026-05-02T20:00:00+02:00"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise TimeIntervalError(path, f"{value!r} is not {example}") from None
    if not isinstance(value, datetime):
        raise TimeIntervalError(path, f"expected {example}, got {value!r}")
    if value.tzinfo is None:
        raise TimeIntervalError(path, f"{value.isoformat()} has no UTC offset (add Z or +HH:MM)")
    return value
