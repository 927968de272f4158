"""Kept-alive connections between agents and the hub: the hub keeps an idle one open longer
than agents push (uvicorn's 5 s default closed connections agents were about to reuse), and an
agent whose connection is dropped as its batch goes out sends it again on another one."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import socket
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx

from hub.agent import Outcome
from hub.agent.sender import HubSender
from tests.bench.hubproc import hub_process

HEALTHZ = b"GET /healthz HTTP/1.1\r\nHost: hub\r\n\r\n"


def _answer(sock: socket.socket) -> bytes:
    """One response read off ``sock`` (headers and Content-Length body); b"" if it closed."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            return data
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    length = next(
        int(line.split(b":")[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        body += sock.recv(4096)
    return head


def _idle_then_ask(url: str, idle: float) -> tuple[bytes, bytes]:
    """Ask /healthz, wait ``idle`` seconds, ask again on the same connection."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(HEALTHZ)
        first = _answer(sock)
        time.sleep(idle)
        with contextlib.suppress(ConnectionResetError, BrokenPipeError):
            sock.sendall(HEALTHZ)
            return first, _answer(sock)
        return first, b""


def test_the_hub_keeps_idle_connections_past_five_seconds_and_as_configured(tmp_path: Path):
    with (
        hub_process(tmp_path / "default") as default,
        hub_process(tmp_path / "short", "hub:\n  keep_alive: 1\n") as short,
    ):
        default.wait_healthy()
        short.wait_healthy()
        kept = _idle_then_ask(default.url, idle=6.0)
        closed = _idle_then_ask(short.url, idle=2.5)
    assert kept[0].startswith(b"HTTP/1.1 200")
    assert kept[1].startswith(b"HTTP/1.1 200")  # uvicorn's default would have closed it at 5 s
    assert closed[0].startswith(b"HTTP/1.1 200")
    assert closed[1] == b""


@contextlib.asynccontextmanager
async def dropping_server(answered: list[bytes]) -> AsyncIterator[str]:
    """An HTTP server that answers the first request of a connection and closes the
    connection when the next one arrives, as a server whose keep-alive timer fired just then."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            for requests in itertools.count(1):
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                )
                body = await reader.readexactly(length)
                if requests > 1:
                    return
                answered.append(body)
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
                await writer.drain()
        except asyncio.IncompleteReadError:  # the client closed the connection
            return
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        yield f"http://127.0.0.1:{port}"


async def test_an_agent_sends_again_a_batch_whose_kept_alive_connection_was_dropped():
    answered: list[bytes] = []
    async with dropping_server(answered) as url, httpx.AsyncClient() as client:
        send = HubSender(client, url, "tcf_token")
        first = await send(b"batch 1")
        second = await send(b"batch 2")  # goes out on the kept-alive connection, dropped
    assert (first.outcome, second.outcome) == (Outcome.SENT, Outcome.SENT)
    assert answered == [b"batch 1", b"batch 2"]
