"""The hub's uvicorn server (real time: it must not wake while idle): a current Date on every
response, no tick, and a signal stops it at once."""

import asyncio
import email.utils
import signal
import time

import httpx
import uvicorn

from hub.cli.hubserver import DatedHeaders, HubServer


def test_every_use_of_the_headers_gets_the_current_date():
    now = [1_700_000_000.2]
    headers = DatedHeaders([(b"server", b"tcf")], now=lambda: now[0])
    assert headers + [(b"x", b"1")] == [  # noqa: RUF005 (how uvicorn adds them)
        (b"date", b"Tue, 14 Nov 2023 22:13:20 GMT"),
        (b"server", b"tcf"),
        (b"x", b"1"),
    ]
    now[0] += 61.9
    assert list(headers) == [(b"date", b"Tue, 14 Nov 2023 22:14:22 GMT"), (b"server", b"tcf")]
    assert [name for name, _ in headers] == [b"date", b"server"]


def _server() -> HubServer:
    server = HubServer(uvicorn.Config(app=None, log_level="warning"))
    server.config.load = lambda: None  # type: ignore[method-assign]  # no app to import
    return server


async def test_an_idle_server_does_not_wake_to_tick(monkeypatch):
    server = _server()
    ticks = []

    async def on_tick(counter):
        ticks.append(counter)
        return server.should_exit

    monkeypatch.setattr(server, "on_tick", on_tick)
    main = asyncio.create_task(server.main_loop())
    await asyncio.sleep(1.3)  # uvicorn ticked 13 times in this, the hub's old loop twice
    assert not main.done()
    assert ticks == []
    server.should_exit = True
    server.wake()
    await asyncio.wait_for(main, 1)


async def test_a_signal_stops_the_main_loop_at_once():
    server = _server()
    main = asyncio.create_task(server.main_loop())
    await asyncio.sleep(0.05)
    started = time.monotonic()
    server.handle_exit(signal.SIGINT, None)
    await asyncio.wait_for(main, 1)
    assert time.monotonic() - started < 0.5


async def test_the_server_answers_with_a_current_date_header():
    server = _server()
    main = asyncio.create_task(server.main_loop())
    await asyncio.sleep(0)
    headers = server.server_state.default_headers + []  # noqa: RUF005 (as uvicorn does)
    assert headers[0][0] == b"date"
    assert headers[0][1].endswith(b" GMT")
    server.handle_exit(signal.SIGINT, None)
    await main


async def _hello(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


async def test_real_responses_carry_the_date_of_their_own_second():
    """Through uvicorn's own protocol code: the Date is not frozen at the server's start (the
    hub's server never ticks to refresh it)."""
    server = HubServer(uvicorn.Config(app=_hello, host="127.0.0.1", port=0, log_level="warning"))
    serving = asyncio.create_task(server.serve())
    for _ in range(500):  # up to 5 s
        if server.started:
            break
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            first = (await client.get("/")).headers["date"]
            await asyncio.sleep(1.2)
            second = (await client.get("/")).headers["date"]
        assert first != second
        sent = email.utils.parsedate_to_datetime(second).timestamp()
        assert abs(sent - time.time()) < 2
    finally:
        server.should_exit = True
        server.wake()
        await asyncio.wait_for(serving, 5)
