"""Delivering the durable outbox: every queued notification is sent at least once.

Notifications are queued in the same transaction as the alert transition that caused them, so a
crash cannot lose one. Retryable failures back off exponentially with jitter until ``max_age``;
permanent failures stop at once. Every attempt lands in the delivery log.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import Counter
from collections.abc import Mapping
from datetime import datetime, timedelta

import msgspec

from hub.channels.base import Channel
from hub.domain.notifications import Delivery, Notification, OutboxItem
from hub.lib.clock import Clock, monotonic
from hub.lib.http import DeliveryError
from hub.store import Store

log = logging.getLogger(__name__)
_decode = msgspec.json.Decoder(Notification)


def retry_delay(attempts: int, rng: random.Random, base: float = 2.0, cap: float = 300.0) -> float:
    """Seconds before retry number ``attempts + 1``: exponential, capped, half-jittered."""
    ceiling = min(cap, base * 2.0**attempts)
    return ceiling / 2 + rng.uniform(0, ceiling / 2)


def encode(notification: Notification) -> bytes:
    """The stored form of a notification."""
    return msgspec.json.encode(notification)


class Deliverer:
    """Sends due notifications and records the outcome of each attempt."""

    def __init__(
        self,
        store: Store,
        channels: Mapping[str, Channel],
        clock: Clock,
        *,
        max_age: timedelta = timedelta(hours=24),
        rng: random.Random | None = None,
    ) -> None:
        self._store = store
        self._channels = channels
        self._clock = clock
        self._max_age = max_age
        self._rng = rng or random.Random()  # noqa: S311 (jitter, not security)
        self._lock = asyncio.Lock()
        self.failures: Counter[str] = Counter()
        """Failed delivery attempts per channel since start (self-monitoring reads it)."""

    async def deliver_due(self) -> int:
        """Attempt every due notification once; returns how many were delivered."""
        async with self._lock:
            async with self._store.tx() as tx:
                items = await tx.outbox.due(self._clock.now())
            delivered = 0
            for item in items:
                delivered += await self._attempt(item)
            return delivered

    async def next_due(self) -> datetime | None:
        """When the earliest pending notification is due, if any is pending."""
        async with self._store.tx() as tx:
            return await tx.outbox.next_due_at()

    async def _attempt(self, item: OutboxItem) -> bool:
        started = monotonic()
        error: DeliveryError | None = None
        channel = self._channels.get(item.channel)
        try:
            if channel is None:
                raise DeliveryError("channel is no longer configured", permanent=True)
            await channel.send(_decode.decode(item.payload))
        except DeliveryError as exc:
            error = exc
        except Exception as exc:  # a channel bug must not stop the others
            log.exception("channel %s raised unexpectedly", item.channel)
            error = DeliveryError(f"unexpected {type(exc).__name__}", permanent=False)
        now = self._clock.now()
        delivery = Delivery(
            item.id,
            item.channel,
            now,
            error is None,
            str(error) if error else None,
            (monotonic() - started) * 1000,
        )
        status, next_at = "sent", None
        if error is not None:
            self.failures[item.channel] += 1
            expired = now - item.created_at >= self._max_age
            if error.permanent or expired:
                status = "failed"
                log.warning(
                    "notification %s to %s failed for good: %s", item.id, item.channel, error
                )
            else:
                status = "pending"
                next_at = now + timedelta(seconds=retry_delay(item.attempts, self._rng))
                log.info("notification %s to %s will be retried: %s", item.id, item.channel, error)
        async with self._store.tx() as tx:
            await tx.outbox.record(item, delivery, status=status, next_attempt_at=next_at)
        return error is None
