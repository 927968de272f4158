"""Heartbeats: the age of each configured heartbeat's last ping, read from the store."""

from __future__ import annotations

from hub.domain.config import HeartbeatConfig
from hub.domain.heartbeats import state_samples
from hub.domain.samples import Sample
from hub.lib.clock import Clock
from hub.store import Store


class HeartbeatCollector:
    """``heartbeat_age_seconds{heartbeat}`` and ``heartbeat_overdue{heartbeat}`` for every
    heartbeat in monitoring.yml. A heartbeat never pinged ages from when the hub began
    watching it, so a job that never runs is noticed too."""

    name = "heartbeats"

    def __init__(
        self, store: Store, heartbeats: dict[str, HeartbeatConfig], clock: Clock, interval: float
    ) -> None:
        self._store = store
        self._heartbeats = heartbeats
        self._clock = clock
        self.interval = interval

    async def collect(self) -> list[Sample]:
        """One reading of every heartbeat's age."""
        now = self._clock.now()
        async with self._store.tx() as tx:
            beats = await tx.heartbeats.get(self._heartbeats)
        return [s for b in beats for s in state_samples(b, self._heartbeats[b.name], now)]
