"""Delivery rate limits: a sliding minute per channel and one over all channels."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from datetime import datetime, timedelta

WINDOW = timedelta(minutes=1)


class SlidingMinute:
    """At most ``per_minute`` events in any minute; 0 means no limit."""

    def __init__(self, per_minute: int) -> None:
        self._per_minute = per_minute
        self._times: deque[datetime] = deque()

    def free_at(self, now: datetime) -> datetime | None:
        """None when an event may happen at ``now``, else the moment a slot frees."""
        if self._per_minute <= 0:
            return None
        while self._times and self._times[0] <= now - WINDOW:
            self._times.popleft()
        if len(self._times) < self._per_minute:
            return None
        return self._times[0] + WINDOW

    def take(self, now: datetime) -> None:
        """Count an event at ``now``."""
        if self._per_minute > 0:
            self._times.append(now)


class RateLimits:
    """Per-channel limits under one global cap."""

    def __init__(self, per_channel: Mapping[str, int], global_per_minute: int) -> None:
        self._channels = {name: SlidingMinute(n) for name, n in per_channel.items()}
        self._global = SlidingMinute(global_per_minute)

    def take(self, channel: str, now: datetime) -> datetime | None:
        """Count a delivery to ``channel`` at ``now`` and return None, or, when a limit is
        reached, count nothing and return when to try again."""
        limits = [self._global]
        if (own := self._channels.get(channel)) is not None:
            limits.append(own)
        waits = [w for limit in limits if (w := limit.free_at(now)) is not None]
        if waits:
            return max(waits)
        for limit in limits:
            limit.take(now)
        return None
