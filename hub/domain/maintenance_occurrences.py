"""Concrete occurrences of maintenance windows within a time range (for the dashboard).

Pure functions; the range is passed in. A recurring window is expanded in its intervals' time
zones, so an occurrence at 02:00 local time moves by an hour in UTC across a DST change.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import msgspec

from hub.domain.maintenance import MaintenanceWindow, in_window
from hub.domain.timeintervals import interval_changes

MAX_OCCURRENCES = 1000
"""At most this many occurrences per window are listed."""
_TICK = timedelta(microseconds=1)


class Occurrence(msgspec.Struct, frozen=True):
    """When a window holds: ``start`` inclusive, ``end`` exclusive, both clipped to the range
    asked for (``clipped_start``/``clipped_end`` say whether they were)."""

    start: datetime
    end: datetime
    clipped_start: bool = False
    clipped_end: bool = False


def occurrences(window: MaintenanceWindow, start: datetime, end: datetime) -> list[Occurrence]:
    """The times ``window`` holds that overlap [``start``, ``end``), oldest first, each
    intersected with the range; at most ``MAX_OCCURRENCES``.

    Raises:
        ValueError: ``start`` or ``end`` is naive, or ``end`` is not after ``start``.
    """
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("from and to need a time zone")
    if end <= start:
        raise ValueError(f"to ({end.isoformat()}) must be after from ({start.isoformat()})")
    inside = in_window(window, start)
    # Open at ``start`` and already a moment before: the occurrence began before the range.
    began_before = inside and in_window(window, start - _TICK)
    if window.start is not None and window.end is not None:
        changes = [t for t in (window.start, window.end) if start < t <= end]
    else:
        changes = interval_changes(window.time_intervals, start, end)
    found: list[Occurrence] = []
    opened = start if inside else None
    for change in changes:
        if opened is not None:
            found.append(Occurrence(opened, change, clipped_start=began_before and opened == start))
            opened = None
        else:
            opened = change
    if opened is not None and opened < end:
        clipped = began_before and opened == start
        found.append(Occurrence(opened, end, clipped_start=clipped, clipped_end=True))
    return found[:MAX_OCCURRENCES]
