"""Delivering the durable outbox: every queued notification is sent at least once.

Notifications are queued in the same transaction as the alert transition that caused them, so a
crash cannot lose one. Retryable failures back off exponentially with jitter (or as long as the
receiver's ``Retry-After`` asks) until ``max_age``; permanent failures stop at once. Every attempt
lands in the delivery log. Channels are sent to side by side, so one slow receiver does not hold
up the others; rate limits postpone a notification rather than drop it. A channel whose
notification fails for good is marked failing and the other channels are told.
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
from hub.domain.notifications import Delivery, Notification, NotifiedAlert, OutboxItem
from hub.lib.clock import Clock, monotonic
from hub.lib.http import DeliveryError
from hub.notify.health import HEALTH, ChannelHealth, failing_notice
from hub.notify.ratelimit import RateLimits
from hub.store import Store
from hub.store.engine import Tx

log = logging.getLogger(__name__)
_decode = msgspec.json.Decoder(Notification)
_health_codec = (msgspec.msgpack.Encoder(), msgspec.msgpack.Decoder(ChannelHealth))


def retry_delay(attempts: int, rng: random.Random, base: float = 2.0, cap: float = 300.0) -> float:
    """Seconds before retry number ``attempts + 1``: exponential, capped, half-jittered."""
    ceiling = min(cap, base * 2.0**attempts)
    return ceiling / 2 + rng.uniform(0, ceiling / 2)


def encode(notification: Notification) -> bytes:
    """The stored form of a notification."""
    return msgspec.json.encode(notification)


def trial_notification(channel: str, external_url: str, now: datetime) -> Notification:
    """The message ``notify test`` sends: one info alert that says it is a test."""
    alert = NotifiedAlert(
        id=0,
        status="firing",
        labels={"alertname": "tcf_hub_test", "channel": channel, "severity": "info"},
        annotations={"summary": f"Test notification from tcf-hub to channel {channel}"},
        starts_at=now,
        ends_at=None,
        fingerprint="test",
    )
    return Notification(
        channel, "firing", f"test/{channel}", {"alertname": "tcf_hub_test"}, (alert,), external_url
    )


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
        limits: RateLimits | None = None,
        external_url: str = "",
    ) -> None:
        self._store = store
        self._channels = channels
        self._clock = clock
        self._max_age = max_age
        self._rng = rng or random.Random()  # noqa: S311 (jitter, not security)
        self._limits = limits or RateLimits({}, 0)
        self._external_url = external_url
        self._lock = asyncio.Lock()
        self._write = asyncio.Lock()
        self._health: dict[str, ChannelHealth] | None = None
        self.failures: Counter[str] = Counter()
        """Failed delivery attempts per channel since start (self-monitoring reads it)."""

    async def deliver_due(self) -> int:
        """Attempt every due notification once; returns how many were delivered."""
        async with self._lock:
            now = self._clock.now()
            async with self._store.tx() as tx:
                items = await tx.outbox.due(now)
                await self._load_health(tx)
                by_channel: dict[str, list[OutboxItem]] = {}
                for item in items:
                    wait = self._limits.take(item.channel, now)
                    if wait is None:
                        by_channel.setdefault(item.channel, []).append(item)
                    else:  # over a rate limit: later, not never
                        await tx.outbox.postpone(item.id, wait)
            sent = await asyncio.gather(*(self._send_all(batch) for batch in by_channel.values()))
            return sum(sent)

    async def _send_all(self, items: list[OutboxItem]) -> int:
        return sum([(await self._attempt(item)).ok for item in items])

    async def send_test(self, channel: str) -> Delivery | None:
        """Send a test notification to ``channel`` now, once (no retry), through the outbox
        so the attempt is in the delivery log; None when there is no such channel."""
        if channel not in self._channels:
            return None
        now = self._clock.now()
        payload = encode(trial_notification(channel, self._external_url, now))
        async with self._lock:
            async with self._store.tx() as tx:
                await self._load_health(tx)
                item_id = await tx.outbox.enqueue(channel, payload, None, now)
                item = await tx.outbox.get(item_id)
            assert item is not None  # noqa: S101 (just written in this transaction)
            return await self._attempt(item, final=True)

    async def send_unstored(self, notification: Notification) -> bool:
        """Send ``notification`` once, now, without the store (it cannot write): best effort
        and not durable; a failure is counted and logged, not retried. True when sent."""
        name = notification.receiver
        channel = self._channels.get(name)
        if channel is None:
            return False
        try:
            await channel.send(notification)
        except DeliveryError as exc:
            error: str = str(exc)
        except Exception as exc:  # a channel bug must not stop the others
            log.exception("channel %s raised unexpectedly", name)
            error = f"unexpected {type(exc).__name__}"
        else:
            log.warning("notification to %s sent from memory: the store cannot write", name)
            return True
        self.failures[name] += 1
        log.warning("notification to %s from memory failed, not retried: %s", name, error)
        return False

    async def next_due(self) -> datetime | None:
        """When the earliest pending notification is due, if any is pending."""
        async with self._store.tx() as tx:
            return await tx.outbox.next_due_at()

    async def health(self) -> dict[str, ChannelHealth]:
        """Every configured channel's health."""
        async with self._store.tx() as tx:
            known = await self._load_health(tx)
        return {name: known.get(name, ChannelHealth()) for name in self._channels}

    async def _load_health(self, tx: Tx) -> dict[str, ChannelHealth]:
        if self._health is None:
            blobs = await tx.notify_state.load(HEALTH)
            self._health = {k: _health_codec[1].decode(v) for k, v in blobs.items()}
        return self._health

    async def _attempt(self, item: OutboxItem, *, final: bool = False) -> Delivery:
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
        outcome, next_at = "sent", None
        given_up = False
        if error is not None:
            self.failures[item.channel] += 1
            given_up = error.permanent or now - item.created_at >= self._max_age
            if given_up or final:
                outcome = "failed"
                log.warning(
                    "notification %s to %s failed for good: %s", item.id, item.channel, error
                )
            else:
                outcome = "retry"
                wait = error.retry_after
                if wait is None:
                    wait = retry_delay(item.attempts, self._rng)
                next_at = now + timedelta(seconds=wait)
                log.info("notification %s to %s will be retried: %s", item.id, item.channel, error)
        delivery = Delivery(
            item.id,
            item.channel,
            now,
            error is None,
            str(error) if error else None,
            (monotonic() - started) * 1000,
            outcome=outcome,
            status_code=error.status if error else None,
        )
        status = {"sent": "sent", "retry": "pending", "failed": "failed"}[outcome]
        # sends run side by side; their records are written one at a time (one SQLite writer)
        async with self._write, self._store.tx() as tx:
            await tx.outbox.record(item, delivery, status=status, next_attempt_at=next_at)
            if channel is not None:
                await self._update_health(tx, item.channel, error if given_up else None, now)
        return delivery

    async def _update_health(
        self, tx: Tx, name: str, error: DeliveryError | None, now: datetime
    ) -> None:
        """Mark ``name`` failing on an error given up on, healthy again on a delivery; on
        either change tell the channels that are not failing themselves."""
        health = await self._load_health(tx)
        before = health.get(name, ChannelHealth())
        if error is None and not before.failing:
            return
        if error is not None:
            after = ChannelHealth(True, before.since if before.failing else now, str(error))
        else:
            after = ChannelHealth()
        health[name] = after
        await tx.notify_state.put(HEALTH, name, _health_codec[0].encode(after), now)
        if before.failing == after.failing:
            return
        log.warning("channel %s %s", name, "is failing" if after.failing else "delivers again")
        for other, channel in self._channels.items():
            if other == name or health.get(other, ChannelHealth()).failing:
                continue
            if not after.failing and not channel.send_resolved:
                continue
            note = failing_notice(
                name,
                other,
                after if after.failing else before,
                self._external_url,
                now,
                resolved=not after.failing,
            )
            await tx.outbox.enqueue(other, encode(note), None, now)
