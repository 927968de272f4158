"""Alerts while the store cannot write: the transition is kept in memory, its notification is sent
from memory at once, and both are stored once writing works again, without a second delivery.

SQLite is made to refuse writes the way a full disk does to a hub (every write statement fails,
reads work) with ``PRAGMA query_only`` on each connection the pool hands out; the real full disk
on a tmpfs is tests/integration/test_disk_full.py."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

import pytest
import sqlalchemy as sa
from litestar.testing import AsyncTestClient

from hub.domain.samples import Sample
from hub.store import StoreWriteError
from tests.helpers import receiver
from tests.integration.conftest import Hub

RULES = """
alerts:
  cpu_high:
    metric: cpu_usage
    threshold: 80
    severity: critical
    message: CPU high
  load_high:
    metric: system_load
    threshold: 4
    duration: 60
    severity: warning
"""


@asynccontextmanager
async def running(make_hub, clock) -> AsyncIterator[tuple[Hub, object]]:
    with receiver() as peer:
        app = make_hub(f"channels:\n  ops:\n    type: webhook\n    url: {peer.url}\n", RULES)
        async with AsyncTestClient(app=app) as client:
            yield Hub(client, app.state.hub, clock), peer


@contextmanager
def unwritable(hub: Hub) -> Iterator[None]:
    """Every connection handed out meanwhile refuses writes; reads still work."""
    engine = hub.state.store.engine.sync_engine

    def refuse(dbapi_conn, record, proxy) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA query_only = ON")
        cursor.close()

    def allow(dbapi_conn, record) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA query_only = OFF")
        cursor.close()

    sa.event.listen(engine, "checkout", refuse)
    sa.event.listen(engine, "checkin", allow)
    try:
        yield
    finally:
        sa.event.remove(engine, "checkout", refuse)
        sa.event.remove(engine, "checkin", allow)


async def evaluate_with(hub: Hub, name: str, value: float) -> None:
    """A sample stored before the disk filled up (the evaluation is what this is about)."""
    sample = Sample(name, {"host": "box"}, value, hub.clock.now().timestamp())
    await hub.state.tsdb.write([sample])


async def evaluate(hub: Hub) -> None:
    """Evaluate rules, and wait for what is sent from memory (in the background)."""
    await hub.state.jobs.evaluate()
    await hub.state.jobs.dispatcher.memory.settled()


async def alerts(hub: Hub) -> list[dict]:
    response = await hub.client.get("/api/v1/alerts", headers=hub.auth)
    assert response.status_code == 200
    return response.json()


async def deliveries(hub: Hub) -> list[dict]:
    response = await hub.client.get("/api/v1/notifications/deliveries", headers=hub.auth)
    assert response.status_code == 200
    return response.json()


async def settle(hub: Hub) -> int:
    """Let group_wait pass, flush the groups and deliver; returns notifications delivered."""
    hub.clock.advance(3)
    await hub.state.jobs.notify()
    return await hub.state.deliverer.deliver_due()


async def test_a_fault_while_the_store_cannot_write_is_notified_from_memory_and_stored_later(
    make_hub, clock
):
    async with running(make_hub, clock) as (hub, peer):
        await evaluate_with(hub, "cpu_usage", 95)
        fault_at = hub.clock.now()
        with unwritable(hub):
            await evaluate(hub)
            (body,) = peer.wait(1)  # sent at once, no group_wait, nothing stored
            assert body["status"] == "firing"
            assert [a["labels"]["alertname"] for a in body["alerts"]] == ["cpu_high"]
            assert body["alerts"][0]["annotations"]["summary"] == "CPU high"
            assert await alerts(hub) == []
            failed = await hub.client.post(
                "/api/v1/silences",
                json={"matchers": ["alertname=x"], "duration": "1h", "comment": "c"},
                headers=hub.auth,
            )
            assert failed.status_code == 503, failed.text  # a write refused, not a 500
            assert "cannot write" in failed.json()["detail"]
            hub.clock.advance(10)
            await evaluate(hub)  # still firing: told once only
            assert await settle(hub) == 0
        assert len(peer.bodies) == 1

        hub.clock.advance(10)
        await evaluate(hub)  # space is back: the kept transition is stored
        [stored] = await alerts(hub)
        assert (stored["rule"], stored["state"]) == ("cpu_high", "firing")
        assert stored["started_at"] == fault_at.isoformat().replace("+00:00", "Z")
        history = await hub.client.get(f"/api/v1/alerts/{stored['id']}/history", headers=hub.auth)
        [event] = history.json()["history"]
        assert event["to_state"] == "firing"
        assert event["comment"].startswith("stored late: the store could not write")
        assert await settle(hub) == 0  # its notification is stored as delivered, not resent
        assert len(peer.bodies) == 1
        [logged] = await deliveries(hub)
        assert (logged["outcome"], logged["ok"]) == ("sent-from-memory", True)
        assert hub.state.jobs.dispatcher.memory.pending == 0

        await evaluate_with(hub, "cpu_usage", 10)
        await evaluate(hub)
        hub.clock.advance(300)  # the group's interval
        assert await settle(hub) == 1  # what follows is delivered from the outbox as usual
        assert [b["status"] for b in peer.wait(2)] == ["firing", "resolved"]


async def test_a_fault_that_fires_and_clears_while_unwritable_is_told_both_and_kept(
    make_hub, clock
):
    async with running(make_hub, clock) as (hub, peer):
        await evaluate_with(hub, "cpu_usage", 95)
        with unwritable(hub):
            await evaluate(hub)
        hub.clock.advance(10)
        await evaluate_with(hub, "cpu_usage", 20)
        with unwritable(hub):
            await evaluate(hub)
            assert [b["status"] for b in peer.wait(2)] == ["firing", "resolved"]
        hub.clock.advance(10)
        await evaluate(hub)
        response = await hub.client.get("/api/v1/alerts?state=resolved", headers=hub.auth)
        [stored] = response.json()
        assert (stored["rule"], stored["state"]) == ("cpu_high", "resolved")
        assert await settle(hub) == 0
        assert len(peer.bodies) == 2


async def test_a_rule_with_a_duration_fires_while_unwritable(make_hub, clock):
    async with running(make_hub, clock) as (hub, peer):
        await evaluate_with(hub, "system_load", 9)
        with unwritable(hub):
            await evaluate(hub)  # pending, kept in memory
            assert peer.bodies == []
        hub.clock.advance(61)
        await evaluate_with(hub, "system_load", 9)
        with unwritable(hub):
            await evaluate(hub)  # its duration passed: firing
            (body,) = peer.wait(1)
            assert body["alerts"][0]["labels"]["alertname"] == "load_high"
        await evaluate(hub)
        [stored] = await alerts(hub)
        assert stored["state"] == "firing"
        assert await settle(hub) == 0
        assert len(peer.bodies) == 1


async def test_the_store_names_a_refused_write(make_hub, clock):
    async with running(make_hub, clock) as (hub, _peer):
        with unwritable(hub), pytest.raises(StoreWriteError, match="cannot write"):
            async with hub.state.store.tx() as tx:
                await tx.meta.set("k", "v")


async def test_samples_the_store_cannot_write_still_count_as_newest_without_duplicates(
    make_hub, clock
):
    async with running(make_hub, clock) as (hub, _peer):
        tsdb, since = hub.state.tsdb, hub.clock.now()
        await tsdb.write([Sample("known", {}, 1.0, since.timestamp())])
        with unwritable(hub):
            for value in (2.0, 3.0):
                hub.clock.advance(1)
                now = hub.clock.now().timestamp()
                batch = [Sample("known", {}, value, now), Sample("new", {}, value, now)]
                with pytest.raises(StoreWriteError):
                    await tsdb.write(batch)
            newest = {s.name: s.value for s in await tsdb.latest(since)}
            assert newest == {"known": 3.0, "new": 3.0}
        hub.clock.advance(1)
        now = hub.clock.now().timestamp()
        await tsdb.write([Sample("new", {}, 4.0, now), Sample("other", {}, 5.0, now)])
        newest = sorted((s.name, s.value) for s in await tsdb.latest(since))
        assert newest == [("known", 3.0), ("new", 4.0), ("other", 5.0)]
        [stored] = await tsdb.range("new", since, hub.clock.now())
        assert list(stored.values) == [4.0]  # what could not be written is not made up


async def test_a_hanging_receiver_does_not_hold_up_evaluation_while_unwritable(make_hub, clock):
    with receiver(delay=5.0) as slow:
        monitoring = f"channels:\n  ops:\n    type: webhook\n    url: {slow.url}\n"
        app = make_hub(monitoring, RULES)
        async with AsyncTestClient(app=app) as client:
            hub = Hub(client, app.state.hub, clock)
            await evaluate_with(hub, "cpu_usage", 95)
            with unwritable(hub):
                await hub.state.jobs.evaluate()
                assert slow.bodies == []  # evaluation is done; the receiver still sleeps
                assert await hub.state.jobs.dispatcher.memory.settled() == 1
            assert len(slow.bodies) == 1


async def test_a_pending_alert_that_clears_while_unwritable_leaves_nothing(make_hub, clock):
    async with running(make_hub, clock) as (hub, peer):
        await evaluate_with(hub, "system_load", 9)
        with unwritable(hub):
            await evaluate(hub)  # pending, kept in memory
        hub.clock.advance(10)
        await evaluate_with(hub, "system_load", 1)
        with unwritable(hub):
            await evaluate(hub)  # cleared before its duration: forgotten
        await evaluate(hub)
        response = await hub.client.get("/api/v1/alerts?state=resolved", headers=hub.auth)
        assert (await alerts(hub), response.json()) == ([], [])
        assert await settle(hub) == 0
        assert peer.bodies == []


async def test_a_send_from_memory_that_fails_is_delivered_from_the_outbox_once_stored(
    make_hub, clock
):
    with receiver(statuses=[500]) as flaky:
        monitoring = f"channels:\n  ops:\n    type: webhook\n    url: {flaky.url}\n"
        app = make_hub(monitoring, RULES)
        async with AsyncTestClient(app=app) as client:
            hub = Hub(client, app.state.hub, clock)
            await evaluate_with(hub, "cpu_usage", 95)
            with unwritable(hub):
                await evaluate(hub)
            assert len(flaky.bodies) == 1  # answered 500: not retried from memory
            assert hub.state.deliverer.failures["ops"] == 1
            hub.clock.advance(10)
            await evaluate(hub)  # stored; its notification was never delivered, so it is queued
            assert await settle(hub) == 1
            assert [b["status"] for b in flaky.wait(2)] == ["firing", "firing"]
            assert [d["outcome"] for d in await deliveries(hub)] == ["sent"]


async def test_a_breach_the_store_cannot_write_is_seen_by_an_evaluation_of_its_metric(
    make_hub, clock
):
    """Evaluating a batch's metrics asks the suspects (kept up to date by the TSDB's writes)
    whether anything may breach: a sample kept in memory on a full disk counts too."""
    async with running(make_hub, clock) as (hub, _peer):
        await hub.feed("cpu_usage", 10)  # a full evaluation: the suspects start here
        hub.clock.advance(10)
        with unwritable(hub):
            sample = Sample("cpu_usage", {"host": "box"}, 95.0, hub.clock.now().timestamp())
            with pytest.raises(StoreWriteError):
                await hub.state.tsdb.write([sample])
            changed = await hub.state.engine.evaluate({"cpu_usage"})
            assert [(a.rule, a.state.value) for a in changed] == [("cpu_high", "firing")]
