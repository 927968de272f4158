"""POST /api/v1/ingest (C10): agents' batches are validated, stored once, evaluated; hosts."""

import asyncio
from datetime import UTC, datetime, timedelta

import msgspec
import pytest

from hub.domain.ingest import MAX_LABELS, MAX_SAMPLES

MSGPACK = {"Content-Type": "application/msgpack"}


def batch(clock, *rows, agent="web-1"):
    now = clock.now().timestamp()
    return {
        "agent": agent,
        "samples": [[n, labels, v, now if t is None else t] for n, labels, v, t in rows],
    }


async def post(hub, body, content_type="application/msgpack"):
    data = msgspec.msgpack.encode(body) if "msgpack" in content_type else msgspec.json.encode(body)
    return await hub.client.post(
        "/api/v1/ingest", content=data, headers={**hub.auth, "Content-Type": content_type}
    )


async def series(hub, name):
    start = hub.clock.now() - timedelta(hours=1)
    return await hub.state.tsdb.range(name, start, hub.clock.now() + timedelta(minutes=10))


async def test_a_msgpack_batch_is_stored_with_the_agents_host(hub, clock):
    body = batch(clock, ("cpu_usage", {}, 42.0, None), ("disk_usage", {"mount": "/"}, 7.0, None))
    response = await post(hub, body)
    assert (response.status_code, response.json()) == (200, {"accepted": 2})
    (cpu,) = await series(hub, "cpu_usage")
    assert cpu.labels == {"host": "web-1"}
    assert cpu.values == [42.0]
    (disk,) = await series(hub, "disk_usage")
    assert disk.labels == {"host": "web-1", "mount": "/"}


async def test_json_works_too_and_an_agent_supplied_host_is_kept(hub, clock):
    body = batch(clock, ("memory_usage", {"host": "db-1"}, 50, None))
    assert (await post(hub, body, "application/json")).status_code == 200
    (mem,) = await series(hub, "memory_usage")
    assert mem.labels == {"host": "db-1"}


async def test_a_resent_batch_creates_no_duplicate_samples(hub, clock):
    earlier = clock.now().timestamp() - 10
    body = batch(clock, ("cpu_usage", {}, 1.0, None), ("cpu_usage", {}, 2.0, earlier))
    for _ in range(3):
        assert (await post(hub, body)).status_code == 200
    (cpu,) = await series(hub, "cpu_usage")
    assert cpu.values == [2.0, 1.0]


async def test_a_resent_batch_after_compaction_creates_no_duplicates(hub, clock):
    old = clock.now().timestamp() - 3 * 3600
    body = batch(clock, ("cpu_usage", {}, 5.0, old))
    assert (await post(hub, body)).status_code == 200
    await hub.state.tsdb.compact(clock.now())
    assert (await post(hub, body)).status_code == 200
    await hub.state.tsdb.compact(clock.now())
    start = datetime.fromtimestamp(old - 60, UTC)
    (cpu,) = await hub.state.tsdb.range("cpu_usage", start, clock.now())
    assert cpu.values == [5.0]


async def test_ingested_samples_are_evaluated_like_a_local_collection(hub, clock):
    assert (await post(hub, batch(clock, ("cpu_usage", {}, 95.0, None)))).status_code == 200
    alerts = []
    for _ in range(500):  # evaluated in the background, after the answer (the app's loop)
        alerts = (await hub.client.get("/api/v1/alerts", headers=hub.auth)).json()
        if alerts:
            break
        await asyncio.sleep(0.01)
    assert [(a["rule"], a["state"], a["labels"]["host"]) for a in alerts] == [
        ("cpu_high", "pending", "web-1")
    ]


async def test_ingested_samples_are_published_on_the_live_bus(hub, clock):
    async with hub.state.bus.subscribe() as queue:
        await post(hub, batch(clock, ("cpu_usage", {}, 3.0, None)))
        topic, payload = queue.get_nowait()
    assert topic == "samples"
    assert payload[0].labels["host"] == "web-1"


@pytest.mark.parametrize(
    ("body", "content_type", "status", "reason"),
    [
        (b"\xc1\xff", "application/msgpack", 400, "malformed"),
        (b"{not json", "application/json", 400, "malformed"),
        (b"", "application/json", 400, "malformed"),
        (b'{"agent": "a"}', "application/json", 400, "samples"),
        (b'{"agent": "a", "samples": [["cpu", {}, "x", 1]]}', "application/json", 400, "malformed"),
        (b'{"agent": "a", "samples": [["cpu", {}, 1]]}', "application/json", 400, "malformed"),
        (b'{"agent": "a", "samples": [], "extra": 1}', "application/json", 400, "extra"),
        (b'{"agent": "a", "samples": []}', "text/plain", 415, "content type"),
        (b'{"agent": "a", "samples": [], "v": 2}', "application/json", 422, "version"),
        (b'{"agent": "", "samples": []}', "application/json", 422, "agent"),
    ],
)
async def test_malformed_batches_are_refused_with_a_reason(hub, body, content_type, status, reason):
    response = await hub.client.post(
        "/api/v1/ingest", content=body, headers={**hub.auth, "Content-Type": content_type}
    )
    assert response.status_code == status, response.text
    assert reason in response.json()["detail"]


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (["bad name", {}, 1.0, None], "invalid metric name"),
        (["cpu_usage", {"bad-key": "x"}, 1.0, None], "invalid label name"),
        (["cpu_usage", {"__name__": "x"}, 1.0, None], "invalid label name"),
        (["cpu_usage", {"k": "v" * 201}, 1.0, None], "longer than"),
        (["cpu_usage", {f"l{i}": "v" for i in range(MAX_LABELS)}, 1.0, None], "labels"),
        (["cpu_usage", {}, float("inf"), None], "finite"),
        (["cpu_usage", {}, float("nan"), None], "finite"),
        (["cpu_usage", {}, 1.0, "future"], "future"),
        (["cpu_usage", {}, 1.0, "ancient"], "retention"),
    ],
)
async def test_batches_that_break_a_limit_are_refused_and_nothing_is_stored(
    hub, clock, row, reason
):
    now = clock.now().timestamp()
    when = {"future": now + 3600, "ancient": now - 400 * 86400, None: now}[row[3]]
    good = ["memory_usage", {}, 1.0, now]
    body = {"agent": "a", "samples": [good, [*row[:3], when]]}
    response = await post(hub, body)
    assert response.status_code == 422, response.text
    assert reason in response.json()["detail"]
    assert "samples[1]" in response.json()["detail"]
    assert await series(hub, "memory_usage") == []


async def test_a_batch_over_the_size_limit_is_refused(hub, clock):
    now = clock.now().timestamp()
    body = {"agent": "a", "samples": [["cpu_usage", {}, 1.0, now]] * (MAX_SAMPLES + 1)}
    response = await post(hub, body)
    assert response.status_code == 422
    assert "limit" in response.json()["detail"]


async def test_hosts_lists_every_host_with_its_last_sample(hub, clock):
    await hub.feed("cpu_usage", 1.0)  # the local collector's host label is "box"
    clock.advance(5)
    await post(hub, batch(clock, ("cpu_usage", {}, 1.0, None), ("memory_usage", {}, 2.0, None)))
    hosts = (await hub.client.get("/api/v1/hosts", headers=hub.auth)).json()
    now = clock.now().timestamp()
    assert hosts == [
        {"host": "box", "last_seen": now - 5, "series": 1},
        {"host": "web-1", "last_seen": now, "series": 2},
    ]
