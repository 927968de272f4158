"""The agent's pure core: spool order and bounds, shipping and draining, clean stop."""

import asyncio
import logging

import msgspec
import pytest

from hub.agent import Agent, HubRefusedError, Outcome, SendResult, Shipper, Spool
from hub.domain.ingest import IngestBatch
from hub.domain.samples import Sample


class FakeHub:
    """A send function whose answers the test scripts; records what arrived."""

    def __init__(self):
        self.answer = Outcome.SENT
        self.received: list[bytes] = []
        self.attempts = 0

    async def __call__(self, batch: bytes) -> SendResult:
        self.attempts += 1
        if self.answer is Outcome.SENT:
            self.received.append(batch)
        return SendResult(self.answer, "scripted")


def test_spool_keeps_order_across_restarts_and_drops_the_oldest_when_full(tmp_path, caplog):
    spool = Spool(tmp_path, max_bytes=30)
    for i in range(3):
        spool.append(b"%d" % i * 10)
    assert [spool.read(p) for p in spool.pending()] == [b"0" * 10, b"1" * 10, b"2" * 10]
    (tmp_path / "0000000000000099.tmp").write_bytes(b"half")  # a crash mid-write
    reopened = Spool(tmp_path, max_bytes=30)
    assert len(reopened) == 3
    assert not list(tmp_path.glob("*.tmp"))
    with caplog.at_level(logging.WARNING):
        reopened.append(b"3" * 10)
    assert [reopened.read(p) for p in reopened.pending()] == [b"1" * 10, b"2" * 10, b"3" * 10]
    assert reopened.dropped == 1
    assert "dropped the oldest batch" in caplog.text


def test_a_batch_bigger_than_the_bound_is_still_kept(tmp_path):
    spool = Spool(tmp_path, max_bytes=5)
    spool.append(b"x" * 50)
    assert len(spool) == 1


async def test_batches_go_straight_out_while_the_hub_answers(tmp_path):
    hub, spool = FakeHub(), Spool(tmp_path, 10**6)
    shipper = Shipper(hub, spool)
    await shipper.ship(b"a")
    await shipper.ship(b"b")
    assert hub.received == [b"a", b"b"]
    assert len(spool) == 0


async def test_batches_are_spooled_while_the_hub_is_away_and_sent_oldest_first(tmp_path):
    hub, spool = FakeHub(), Spool(tmp_path, 10**6)
    shipper = Shipper(hub, spool)
    hub.answer = Outcome.RETRY
    for batch in (b"1", b"2", b"3"):
        await shipper.ship(batch)
    assert len(spool) == 3
    assert not shipper.hub_up
    assert hub.attempts == 3  # one attempt per tick, not one per spooled batch
    hub.answer = Outcome.SENT
    await shipper.ship(b"4")
    assert hub.received == [b"1", b"2", b"3", b"4"]
    assert len(spool) == 0
    assert shipper.hub_up


async def test_draining_is_bounded_per_tick(tmp_path):
    hub, spool = FakeHub(), Spool(tmp_path, 10**6)
    for i in range(5):
        spool.append(b"%d" % i)
    shipper = Shipper(hub, spool, drain_limit=2)
    assert await shipper.drain() == 2
    assert await shipper.drain() == 2
    assert hub.received == [b"0", b"1", b"2", b"3"]


async def test_a_rejected_batch_is_dropped_with_an_error(tmp_path, caplog):
    hub, spool = FakeHub(), Spool(tmp_path, 10**6)
    shipper = Shipper(hub, spool)
    hub.answer = Outcome.REJECTED
    with caplog.at_level(logging.ERROR):
        await shipper.ship(b"bad")
    assert len(spool) == 0
    assert "rejected a batch" in caplog.text


async def test_a_refused_token_keeps_the_batch_and_stops(tmp_path):
    hub, spool = FakeHub(), Spool(tmp_path, 10**6)
    shipper = Shipper(hub, spool)
    hub.answer = Outcome.REFUSED
    with pytest.raises(HubRefusedError):
        await shipper.ship(b"keep")
    assert [spool.read(p) for p in spool.pending()] == [b"keep"]
    with pytest.raises(HubRefusedError):
        await shipper.drain()
    assert len(spool) == 1


class SlowHub(FakeHub):
    def __init__(self):
        super().__init__()
        self.started = asyncio.Event()

    async def __call__(self, batch):
        self.started.set()
        await asyncio.sleep(3600)
        raise AssertionError("unreachable")


class Counter:
    name = "counter"
    interval = 1.0

    def __init__(self):
        self.n = 0

    async def collect(self):
        self.n += 1
        return [Sample("ticks", {"host": "h"}, float(self.n), float(self.n))]


class Broken:
    name = "broken"
    interval = 1.0

    async def collect(self):
        raise RuntimeError("no psutil today")


async def test_stopping_mid_send_puts_the_batch_in_the_spool(tmp_path):
    hub, spool = SlowHub(), Spool(tmp_path, 10**6)
    agent = Agent("a", [Counter()], Shipper(hub, spool), interval=1.0)
    stop = asyncio.Event()
    running = asyncio.create_task(agent.run(stop))
    await hub.started.wait()
    stop.set()
    await asyncio.wait_for(running, 5)
    (path,) = spool.pending()
    batch = msgspec.msgpack.decode(spool.read(path), type=IngestBatch)
    assert batch.samples == [("ticks", {"host": "h"}, 1.0, 1.0)]


async def test_an_agent_skips_a_failing_collector(tmp_path, caplog):
    hub = FakeHub()
    agent = Agent("web-1", [Broken(), Counter()], Shipper(hub, Spool(tmp_path, 10**6)), 1.0)
    with caplog.at_level(logging.WARNING):
        await agent.tick()
    (body,) = hub.received
    batch = msgspec.msgpack.decode(body, type=IngestBatch)
    assert (batch.agent, batch.samples) == ("web-1", [("ticks", {"host": "h"}, 1.0, 1.0)])
    assert "collector broken failed" in caplog.text


async def test_the_run_loop_ticks_every_interval_until_stopped(tmp_path):
    stop = asyncio.Event()

    class StoppingHub(FakeHub):
        async def __call__(self, batch):
            result = await super().__call__(batch)
            if len(self.received) == 3:
                stop.set()
            return result

    hub = StoppingHub()
    agent = Agent("a", [Counter()], Shipper(hub, Spool(tmp_path, 10**6)), interval=0.01)
    await asyncio.wait_for(agent.run(stop), 5)
    assert len(hub.received) == 3
