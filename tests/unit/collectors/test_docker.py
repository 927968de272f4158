"""The Docker collector against a fake engine: collections, absent engines, event triggers."""

from __future__ import annotations

import asyncio
import logging
import queue

import pytest

from hub.collectors.base import Closeable, Triggered
from hub.collectors.docker import (
    DockerCollector,
    EngineUnavailableError,
    bursts,
    docker_collectors,
    engine_expected,
    summary,
)
from hub.domain.config import CollectionConfig
from tests.unit.collectors.test_docker_stats import inspect


class FakeStream:
    """Events handed over from the test; ``close`` ends the iteration like a shut socket."""

    def __init__(self, events=()):
        self.items: queue.Queue = queue.Queue()
        for e in events:
            self.items.put(e)
        self.closed = False

    def __iter__(self):
        while (item := self.items.get()) is not None:
            if isinstance(item, Exception):
                raise item
            yield item

    def close(self):
        self.closed = True
        self.items.put(None)


class FakeEngine:
    def __init__(self, containers, stats=None):
        self.containers = {c["Id"]: c for c in containers}
        self.stats_by_id = stats or {}
        self.closed = False
        self.stream = FakeStream()
        self.fail: Exception | None = None
        self.inspected = []

    def container_ids(self):
        if self.fail:
            raise self.fail
        listing = {cid: repr(c) for cid, c in self.containers.items()}
        return {**listing, "removed-meanwhile": "running|Up 1 second"}

    def inspect(self, container_id):
        self.inspected.append(container_id)
        if container_id not in self.containers:
            raise LookupError(container_id)
        return self.containers[container_id]

    def stats(self, container_id):
        return self.stats_by_id.get(container_id)

    def events(self):
        return self.stream

    def close(self):
        self.closed = True


def cpu_stats(cpu, system):
    return {
        "cpu_stats": {
            "cpu_usage": {"total_usage": cpu},
            "system_cpu_usage": system,
            "online_cpus": 2,
        },
        "memory_stats": {"usage": 100, "limit": 400, "stats": {}},
    }


def collector(clock, engine, **kwargs):
    def connect():
        if isinstance(engine, Exception):
            raise engine
        return engine

    return DockerCollector(clock, 10.0, host="box", connect=connect, environ={}, **kwargs)


async def test_cpu_appears_on_the_second_collection_and_exited_containers_have_no_rates(clock):
    engine = FakeEngine(
        [inspect("web", health="healthy"), inspect("exited", status="exited")],
        {"web-id": cpu_stats(1_000, 100_000)},
    )
    docker = collector(clock, engine)
    first = await docker.collect()
    assert "cpu_usage" not in {s.name for s in first}
    engine.stats_by_id["web-id"] = cpu_stats(6_000, 110_000)
    clock.advance(10)
    second = await docker.collect()
    cpu = [s for s in second if s.name == "cpu_usage"]
    assert [(s.labels["container"], s.value) for s in cpu] == [("web", pytest.approx(100.0))]
    exited = {s.name for s in second if s.labels["container"] == "exited"}
    assert exited == {"container_running", "restart_count"}
    assert all(s.labels["host"] == "box" for s in second)
    assert all(s.time == clock.now().timestamp() for s in second)
    await docker.aclose()


async def test_a_restarted_container_starts_its_rates_afresh(clock):
    engine = FakeEngine([inspect("web")], {"web-id": cpu_stats(1_000, 100_000)})
    docker = collector(clock, engine)
    await docker.collect()
    del engine.containers["web-id"]
    await docker.collect()  # gone for one collection: its counters are forgotten
    engine.containers["web-id"] = inspect("web")
    engine.stats_by_id["web-id"] = cpu_stats(2_000, 200_000)
    samples = await docker.collect()
    assert "cpu_usage" not in {s.name for s in samples}
    await docker.aclose()


async def test_auto_without_engine_yields_nothing_and_says_so_once(clock, caplog):
    docker = collector(clock, EngineUnavailableError("no socket"))
    with caplog.at_level(logging.INFO, logger="hub.collectors.docker"):
        assert await docker.collect() == []
        assert await docker.collect() == []
    messages = [r for r in caplog.records if r.name == "hub.collectors.docker"]
    assert len(messages) == 1
    assert messages[0].levelno == logging.INFO
    assert "unix:///var/run/docker.sock" in messages[0].getMessage()
    await docker.aclose()


async def test_on_without_engine_raises_a_clear_error_every_collection(clock):
    docker = collector(clock, EngineUnavailableError("no socket"), required=True)
    for _ in range(2):
        with pytest.raises(EngineUnavailableError, match=r"collection\.docker is on.*no socket"):
            await docker.collect()
    await docker.aclose()


async def test_an_engine_that_goes_away_is_warned_about_once_and_picked_up_again(clock, caplog):
    engine = FakeEngine([inspect("web")])
    docker = collector(clock, engine)
    assert await docker.collect()
    engine.fail = EngineUnavailableError("connection refused")
    with caplog.at_level(logging.INFO, logger="hub.collectors.docker"):
        assert await docker.collect() == []
        assert await docker.collect() == []
        engine.fail = None
        assert await docker.collect()
    levels = [r.levelno for r in caplog.records if r.name == "hub.collectors.docker"]
    assert levels == [logging.WARNING, logging.INFO]
    await docker.aclose()


async def test_a_failing_engine_raises_and_the_client_is_made_afresh(clock):
    engine = FakeEngine([inspect("web")])
    connects = []

    def connect():
        connects.append(1)
        return engine

    docker = DockerCollector(clock, host="box", connect=connect, environ={})
    engine.fail = TimeoutError("read timed out")
    with pytest.raises(TimeoutError):
        await docker.collect()
    assert engine.closed
    engine.fail = None
    assert await docker.collect()
    assert len(connects) == 2
    await docker.aclose()


async def test_container_events_trigger_and_close_ends_the_stream(clock):
    engine = FakeEngine([inspect("web")])
    docker = collector(clock, engine, debounce=0.01)
    assert isinstance(docker, Triggered)
    assert isinstance(docker, Closeable)
    engine.stream.items.put({"Type": "container", "Action": "exec_start: true"})
    engine.stream.items.put(
        {"Type": "container", "Action": "die", "Actor": {"Attributes": {"name": "web"}}}
    )
    triggers = docker.triggers()
    assert await asyncio.wait_for(anext(triggers), 5) == "die web"
    await docker.aclose()
    with pytest.raises(StopAsyncIteration):
        await asyncio.wait_for(anext(triggers), 5)
    assert engine.stream.closed
    assert engine.closed


async def test_a_broken_event_stream_raises_so_the_hub_resubscribes(clock):
    engine = FakeEngine([inspect("web")])
    engine.stream.items.put(OSError("stream broke"))
    docker = collector(clock, engine)
    with pytest.raises(OSError, match="stream broke"):
        await asyncio.wait_for(anext(docker.triggers()), 5)
    await docker.aclose()


async def test_triggers_end_quietly_without_engine(clock):
    docker = collector(clock, EngineUnavailableError("no socket"))
    assert [reason async for reason in docker.triggers()] == []
    await docker.aclose()


async def test_a_burst_of_events_is_one_collection():
    items: asyncio.Queue = asyncio.Queue()
    for name in ("a", "b", "c", "d", "e"):
        items.put_nowait(f"die {name}")
    items.put_nowait(None)
    assert [r async for r in bursts(items, 0)] == ["die a, die b, die c, die d, die e"]


async def test_a_stream_failure_comes_after_the_burst_before_it():
    items: asyncio.Queue = asyncio.Queue()
    items.put_nowait("die a")
    items.put_nowait(OSError("gone"))
    reasons = bursts(items, 0)
    assert await anext(reasons) == "die a"
    with pytest.raises(OSError, match="gone"):
        await anext(reasons)


def test_long_bursts_are_summarised():
    assert summary([f"die c{i}" for i in range(8)] + ["die c0"]) == (
        "die c0, die c1, die c2, die c3, die c4 and 3 more"
    )


def test_engine_is_expected_with_docker_host_or_the_default_socket(tmp_path):
    socket = tmp_path / "docker.sock"
    assert not engine_expected({}, socket)
    assert engine_expected({"DOCKER_HOST": "tcp://10.0.0.2:2375"}, socket)
    socket.touch()
    assert engine_expected({}, socket)


@pytest.mark.parametrize(
    ("mode", "environ", "expected"),
    [
        ("off", {"DOCKER_HOST": "unix:///x.sock"}, []),
        ("auto", {}, []),
        ("auto", {"DOCKER_HOST": "unix:///x.sock"}, [False]),
        ("on", {}, [True]),
        (True, {}, [True]),  # `docker: on` unquoted is a YAML boolean
        (False, {"DOCKER_HOST": "unix:///x.sock"}, []),
    ],
)
def test_collection_docker_mode_decides_the_collector(clock, tmp_path, mode, environ, expected):
    found = docker_collectors(
        CollectionConfig(interval=5, docker=mode), clock, environ, tmp_path / "none.sock"
    )
    assert [c._required for c in found] == expected
    assert all(c.interval == 5.0 and c.name == "docker" for c in found)


async def test_a_collection_and_the_event_stream_starting_together_share_one_client(clock):
    engine = FakeEngine([inspect("web")])
    connects = []

    def connect():
        connects.append(1)
        return engine

    docker = DockerCollector(clock, host="box", connect=connect, environ={}, debounce=0)
    engine.stream.items.put({"Type": "container", "Action": "start"})
    triggers = docker.triggers()
    await asyncio.gather(docker.collect(), anext(triggers))
    assert len(connects) == 1
    await docker.aclose()
    await triggers.aclose()


async def test_a_container_whose_listing_is_unchanged_is_not_inspected_again(clock):
    engine = FakeEngine([inspect("web", health="healthy"), inspect("db")])
    docker = collector(clock, engine)
    await docker.collect()
    assert sorted(engine.inspected) == ["db-id", "removed-meanwhile", "web-id"]
    engine.inspected.clear()
    engine.containers["web-id"] = inspect("web", health="unhealthy")  # its listing changes
    clock.advance(10)
    second = await docker.collect()
    assert sorted(engine.inspected) == ["removed-meanwhile", "web-id"]  # db was not inspected
    by = {(s.name, s.labels["container"]): s.value for s in second}
    assert by[("container_health", "web")] == 0.0
    assert by[("container_running", "db")] == 1.0  # the kept inspect still gives db's samples
    del engine.containers["db-id"]
    clock.advance(10)
    third = await docker.collect()
    assert "db" not in {s.labels["container"] for s in third}
    await docker.aclose()
