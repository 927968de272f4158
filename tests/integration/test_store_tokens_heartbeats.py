"""The token and heartbeat repositories on SQLite and PostgreSQL."""

from datetime import timedelta

import pytest

from hub.domain.heartbeats import PingStatus
from hub.domain.tokens import TokenScope
from hub.store import open_store, upgrade
from hub.store.tokens import TokenExistsError


@pytest.fixture
async def store(store_url):
    upgrade(store_url)
    opened = open_store(store_url)
    yield opened
    await opened.close()


async def test_tokens_are_found_by_hash_touched_listed_and_deleted(store, clock):
    now = clock.now()
    async with store.tx() as tx:
        await tx.tokens.add("web-1", TokenScope.INGEST, "h1", now)
        await tx.tokens.add("backup", TokenScope.HEARTBEAT, "h2", now)
    with pytest.raises(TokenExistsError):
        async with store.tx() as tx:
            await tx.tokens.add("web-1", TokenScope.HEARTBEAT, "h3", now)
    async with store.tx() as tx:
        found = await tx.tokens.by_hash("h1")
        assert (found.name, found.scope, found.created_at, found.last_used_at) == (
            "web-1",
            TokenScope.INGEST,
            now,
            None,
        )
        assert await tx.tokens.by_hash("nope") is None
        await tx.tokens.touch("web-1", now + timedelta(seconds=5))
    async with store.tx() as tx:
        listed = await tx.tokens.all()
        assert [(t.name, t.last_used_at) for t in listed] == [
            ("backup", None),
            ("web-1", now + timedelta(seconds=5)),
        ]
        assert await tx.tokens.delete("web-1")
        assert not await tx.tokens.delete("web-1")
        assert await tx.tokens.by_hash("h1") is None


async def test_heartbeats_are_watched_once_and_keep_their_last_ping(store, clock):
    start = clock.now()
    async with store.tx() as tx:
        await tx.heartbeats.ensure(["backup", "nightly"], start)
        await tx.heartbeats.ensure(["backup"], clock.advance(30))  # already watched: unchanged
        first = await tx.heartbeats.get(["backup", "nightly", "unknown"])
    assert sorted((b.name, b.created_at, b.last_ping_at) for b in first) == [
        ("backup", start, None),
        ("nightly", start, None),
    ]
    later = clock.advance(30)
    async with store.tx() as tx:
        beat = await tx.heartbeats.ping("backup", later, PingStatus.FAIL, "disk full", 3.5)
        assert (beat.created_at, beat.last_ping_at, beat.status) == (start, later, PingStatus.FAIL)
        (again,) = await tx.heartbeats.get(["backup"])
    assert (again.created_at, again.last_ping_at, again.status, again.message, again.duration) == (
        start,
        later,
        PingStatus.FAIL,
        "disk full",
        3.5,
    )


async def test_a_resent_batch_is_stored_once_on_both_backends(store, clock):
    from hub.domain.samples import Sample
    from hub.tsdb import TSDB

    now = clock.now().timestamp()
    batch = [Sample("cpu_usage", {"host": "web-1"}, float(i), now + i) for i in range(3)]
    tsdb = TSDB(store)
    await tsdb.write(batch)
    await TSDB(store).write([*batch, batch[0]])  # a fresh hub after a restart, and a repeat
    start = clock.now()
    (series,) = await tsdb.range("cpu_usage", start, clock.advance(10))
    assert series.values == [0.0, 1.0, 2.0]
