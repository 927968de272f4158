"""Maintenance windows API: alerts.yml's windows and when they hold (read-only)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

import msgspec
from litestar import get
from litestar.exceptions import ValidationException
from litestar.params import QueryParameter

from hub.api.state import HubDep
from hub.domain.maintenance import MaintenanceWindow, in_window, next_change
from hub.domain.maintenance_occurrences import Occurrence, occurrences
from hub.domain.matchers import Matcher
from hub.lib.clock import from_unix

BEFORE = timedelta(hours=24)
"""Default range: from this long before now …"""
AFTER = timedelta(days=7)
"""… to this long after it."""
MAX_RANGE = timedelta(days=31)
LATEST_TIME = 253402300799.0
"""9999-12-31T23:59:59Z: the last second a datetime can hold."""


class MaintenanceRead(msgspec.Struct, frozen=True):
    """A window with its state now and its occurrences in the range asked for."""

    name: str
    matchers: tuple[Matcher, ...]
    comment: str
    kind: str
    """``one-off`` (start and end) or ``recurring`` (time intervals)."""
    active: bool
    """Whether the window holds now."""
    next_change: datetime | None
    """When it next closes (active) or opens (not active), if within a year."""
    occurrences: list[Occurrence]


@get("/api/v1/maintenance", tags=["alerts"])
async def list_maintenance(
    hub: HubDep,
    from_: Annotated[str | None, QueryParameter(name="from")] = None,
    to: Annotated[str | None, QueryParameter(name="to")] = None,
) -> list[MaintenanceRead]:
    """Every maintenance window of alerts.yml (as last loaded) with its matchers and comment
    and the times it holds between ``from`` and ``to`` (unix seconds or ISO 8601 with an
    offset; default 24 h ago to 7 days ahead, at most 31 days), clipped to that range."""
    now = hub.clock.now()
    start = _instant(from_, "from") if from_ is not None else now - BEFORE
    end = _instant(to, "to") if to is not None else now + AFTER
    if end <= start:
        raise ValidationException("`to` must be after `from`")
    if end - start > MAX_RANGE:
        raise ValidationException("the range is limited to 31 days")
    return [_read(w, now, start, end) for w in hub.engine.policy.maintenance]


def _read(
    window: MaintenanceWindow, now: datetime, start: datetime, end: datetime
) -> MaintenanceRead:
    return MaintenanceRead(
        name=window.name,
        matchers=window.matchers,
        comment=window.comment,
        kind="one-off" if window.start is not None else "recurring",
        active=in_window(window, now),
        next_change=next_change(window, now),
        occurrences=occurrences(window, start, end),
    )


def _instant(text: str, name: str) -> datetime:
    """A query's time (unix seconds or ISO 8601 with an offset), or a 400 naming it."""
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        if not 0 <= seconds <= LATEST_TIME:  # also false for NaN
            raise ValidationException(
                f"`{name}` must be unix seconds between 0 and {LATEST_TIME:.0f}"
            )
        return from_unix(seconds)
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValidationException(
            f"`{name}` is neither unix seconds nor an ISO 8601 time: {text!r}"
        ) from None
    if value.tzinfo is None:
        raise ValidationException(f"`{name}` has no UTC offset (add Z or +HH:MM): {text!r}")
    return value
