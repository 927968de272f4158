"""Injected time: nothing below the app reads the wall clock directly."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """A source of the current time."""

    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class SystemClock:
    """The real wall clock."""

    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to; for tests and replays."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 1, tzinfo=UTC)

    def now(self) -> datetime:
        """The time last set."""
        return self._now

    def advance(self, seconds: float) -> datetime:
        """Move forward by ``seconds`` and return the new time."""
        self._now += timedelta(seconds=seconds)
        return self._now


def from_unix(seconds: float) -> datetime:
    """An aware UTC datetime for seconds since the epoch."""
    return datetime.fromtimestamp(seconds, UTC)


def monotonic() -> float:
    """Seconds from a monotonic clock, for measuring durations only."""
    return time.monotonic()
