"""The hub's uvicorn server (real time: it must not wake while idle): a current Date on every
response, no tick, and a signal stops it at once."""

import asyncio
import signal
import time

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
