"""The live stream's bytes on the wire (/api/v1/events through a real uvicorn): the frames
the dashboard's EventSource reads, and the events a dashboard's queue holds going out as one
write."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator

import pytest
import uvicorn
from litestar import Litestar

from hub.api import metrics

CONNECTED = b": connected\r\ndata: \r\nretry: 3000\r\n\r\n"


@contextlib.asynccontextmanager
async def serving(app: Litestar) -> AsyncIterator[int]:
    """``app`` served by uvicorn on 127.0.0.1 in this event loop; yields its port."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, lifespan="on", log_level="warning")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:  # noqa: ASYNC110 (uvicorn offers no event to wait on)
            await asyncio.sleep(0.01)
        yield server.servers[0].sockets[0].getsockname()[1]
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)


async def _open_stream(port: int, token: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        b"GET /api/v1/events HTTP/1.1\r\nHost: hub\r\n"
        + f"Authorization: Bearer {token}\r\n\r\n".encode()
    )
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    assert head.startswith(b"HTTP/1.1 200")
    headers = head.lower()
    assert b"content-type: text/event-stream" in headers
    assert b"cache-control: no-cache" in headers
    assert b"x-accel-buffering: no" in headers
    assert b"transfer-encoding: chunked" in headers
    return reader, writer


async def _chunk(reader: asyncio.StreamReader) -> bytes:
    """One HTTP/1.1 chunk of the body: what the hub sent in one write."""
    size = int((await asyncio.wait_for(reader.readuntil(b"\r\n"), 10)).strip(), 16)
    data = await asyncio.wait_for(reader.readexactly(size + 2), 10)
    return data[:-2]


async def test_events_queued_together_go_out_as_one_write_in_the_same_frames(make_hub):
    app = make_hub()
    async with serving(app) as port:
        hub = app.state.hub
        reader, writer = await _open_stream(port, hub.admin_token)
        assert await _chunk(reader) == CONNECTED
        assert hub.bus.subscribers == 1
        alerts = [{"id": n, "state": "firing", "note": "two\nlines"} for n in (1, 2)]
        for alert in alerts:
            hub.bus.publish("alert", alert)
        hub.bus.publish("other", [1, 2])
        chunk = await _chunk(reader)
        writer.close()
    frames = chunk.split(b"\r\n\r\n")
    assert frames[-1] == b""  # the write ends with a whole frame
    assert [f.split(b"\r\n") for f in frames[:-1]] == [
        [b"event: alert", b"data: " + json.dumps(alert, separators=(",", ":")).encode()]
        for alert in alerts
    ] + [[b"event: other", b"data: [1,2]"]]


async def test_a_quiet_stream_gets_ping_comments(make_hub, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(metrics, "KEEPALIVE_SECONDS", 0.05)
    app = make_hub()
    async with serving(app) as port:
        reader, writer = await _open_stream(port, app.state.hub.admin_token)
        assert await _chunk(reader) == CONNECTED
        assert await _chunk(reader) == b": ping\r\ndata: \r\n\r\n"
        writer.close()


async def test_a_dashboard_far_behind_gets_its_events_in_writes_of_bounded_size(make_hub):
    app = make_hub()
    async with serving(app) as port:
        hub = app.state.hub
        reader, writer = await _open_stream(port, hub.admin_token)
        assert await _chunk(reader) == CONNECTED
        for n in range(20):
            hub.bus.publish("alert", {"id": n, "text": "x" * 10_000})
        chunks: list[bytes] = []
        while sum(c.count(b"event: ") for c in chunks) < 20:
            chunks.append(await _chunk(reader))
        writer.close()
    assert len(chunks) > 1
    assert chunks[0].count(b"event: ") > 1
    assert all(len(c) < metrics.WRITE_BYTES + 11_000 for c in chunks)
    ids = [
        json.loads(line[6:])["id"]
        for c in chunks
        for line in c.split(b"\r\n")
        if line[:5] == b"data:"
    ]
    assert ids == list(range(20))
