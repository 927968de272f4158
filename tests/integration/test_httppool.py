"""The shared client's transport: one connection pool per origin, against real local servers."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

from hub.lib.http import create_client
from hub.lib.httppool import OriginPools


@contextlib.contextmanager
def server() -> Iterator[tuple[str, list[tuple[str, int]]]]:
    """A keep-alive HTTP server on 127.0.0.1; yields its URL and the (client address, port)
    each request came from."""
    seen: list[tuple[str, int]] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            seen.append(self.client_address)
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", seen
    finally:
        httpd.shutdown()
        httpd.server_close()


async def test_each_origin_gets_its_own_pool_and_keeps_its_connection():
    transport = OriginPools()
    with server() as (first, first_seen), server() as (second, second_seen):
        async with httpx.AsyncClient(transport=transport) as client:
            for _ in range(3):
                for url in (first, second):
                    response = await client.get(f"{url}/health")
                    assert (response.status_code, response.text) == (200, "ok")
            assert transport.origins == 2
        assert transport.origins == 0  # closing the client closed the pools
    assert len(first_seen) == len(second_seen) == 3
    assert len(set(first_seen)) == len(set(second_seen)) == 1  # one kept-alive connection each


async def test_the_shared_client_sends_through_a_pool_per_origin():
    with server() as (url, seen):
        async with create_client() as client:
            assert (await client.get(url)).status_code == 200
            assert isinstance(client._transport, OriginPools)
            assert client._transport.origins == 1
    assert len(seen) == 1
