"""The push repository on SQLite and PostgreSQL: devices and single-use ack tokens."""

import asyncio
from datetime import timedelta

import pytest

from hub.store import open_store, upgrade
from hub.store.push import AckTokenRefusal


@pytest.fixture
async def store(store_url):
    upgrade(store_url)
    opened = open_store(store_url)
    yield opened
    await opened.close()


async def test_devices_are_stored_updated_by_endpoint_renamed_and_removed(store, clock):
    now = clock.now()
    async with store.tx() as tx:
        phone = await tx.push.subscribe("phone", "https://push.example/1", "k1", "a1", now)
        laptop = await tx.push.subscribe("laptop", "https://push.example/2", "k2", "a2", now)
    async with store.tx() as tx:
        again = await tx.push.subscribe(
            "phone 2", "https://push.example/1", "k3", "a3", now + timedelta(hours=1)
        )
        await tx.push.delivered(laptop.id, now + timedelta(minutes=5))
    assert again.id == phone.id
    assert again.created_at == now
    async with store.tx() as tx:
        listed = await tx.push.all()
        assert [(d.name, d.p256dh, d.auth) for d in listed] == [
            ("phone 2", "k3", "a3"),
            ("laptop", "k2", "a2"),
        ]
        assert listed[1].last_success_at == now + timedelta(minutes=5)
        renamed = await tx.push.rename(laptop.id, "desk")
        assert renamed is not None
        assert renamed.name == "desk"
        assert await tx.push.rename(999, "x") is None
        assert await tx.push.delete(phone.id)
        assert not await tx.push.delete(phone.id)
        assert await tx.push.get(phone.id) is None


async def test_an_ack_token_is_spent_once_only_on_its_alert_before_it_expires(store, clock):
    now = clock.now()
    later = now + timedelta(hours=1)
    async with store.tx() as tx:
        await tx.push.add_ack_token("h1", 5, "phone", later)
        await tx.push.add_ack_token("h2", 5, "phone", later)
        assert await tx.push.use_ack_token("h1", 6, now) is AckTokenRefusal.OTHER_ALERT
        assert await tx.push.use_ack_token("nope", 5, now) is AckTokenRefusal.UNKNOWN
        assert await tx.push.use_ack_token("h1", 5, now) == "phone"
        assert await tx.push.use_ack_token("h1", 5, now) is AckTokenRefusal.USED
        assert await tx.push.use_ack_token("h2", 5, later) is AckTokenRefusal.EXPIRED
        assert await tx.push.prune_ack_tokens(later) == 2
        assert await tx.push.use_ack_token("h2", 5, now) is AckTokenRefusal.UNKNOWN


async def test_two_requests_racing_with_one_token_ack_once(store, clock):
    now = clock.now()
    async with store.tx() as tx:
        await tx.push.add_ack_token("h", 1, "phone", now + timedelta(hours=1))

    async def spend():
        async with store.tx() as tx:
            return await tx.push.use_ack_token("h", 1, now)

    results = await asyncio.gather(*(spend() for _ in range(4)))
    assert sorted(map(str, results)) == sorted(["phone"] + [str(AckTokenRefusal.USED)] * 3)
