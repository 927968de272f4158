"""The Engine API client over a unix socket, against a scripted HTTP/1.1 peer on a socket in
tmp_path: framing (Content-Length, chunked), keep-alive, errors, the event stream. The real
engine is exercised through it by tests/integration/test_docker.py."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from hub.collectors.docker_engine import EngineUnavailableError
from hub.collectors.docker_socket import EngineError, SocketEngine
from hub.collectors.docker_stats import Container, Stats

Reply = Callable[[str], bytes | None]
"""Request target → the raw answer to send, or None to close the connection."""


class Cut(bytes):
    """An answer after which the peer closes the connection."""


def answer(body: object, status: str = "200 OK", *, chunks: int = 0, close: bool = False) -> bytes:
    """An HTTP/1.1 answer with ``body`` as JSON: Content-Length, or ``chunks`` chunks."""
    data = json.dumps(body).encode()
    head = f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
    if close:
        head += "Connection: close\r\n"
    if not chunks:
        return f"{head}Content-Length: {len(data)}\r\n\r\n".encode() + data
    step = -(-len(data) // chunks)
    parts = [data[i : i + step] for i in range(0, len(data), step)]
    encoded = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts)
    return f"{head}Transfer-Encoding: chunked\r\n\r\n".encode() + encoded + b"0\r\n\r\n"


class Peer:
    """A unix-socket server answering each request with ``reply``; records (connection number,
    request target) pairs."""

    def __init__(self, path: Path, reply: Reply) -> None:
        self.path = str(path)
        self.reply = reply
        self.seen: list[tuple[int, str]] = []
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(self.path)
        self.server.listen()
        self.connections: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                conn, _ = self.server.accept()
                self.connections.append(conn)
                number = len(self.connections)
                threading.Thread(target=self._serve, args=(conn, number), daemon=True).start()

    def _serve(self, conn: socket.socket, number: int) -> None:
        with contextlib.suppress(OSError), conn:
            buffer = b""
            while True:
                while b"\r\n\r\n" not in buffer:
                    data = conn.recv(4096)
                    if not data:
                        return
                    buffer += data
                head, buffer = buffer.split(b"\r\n\r\n", 1)
                target = head.split(b"\r\n")[0].split(b" ")[1].decode()
                self.seen.append((number, target))
                raw = self.reply(target)
                if raw is None:
                    return
                conn.sendall(raw)
                if isinstance(raw, Cut):
                    conn.shutdown(socket.SHUT_RDWR)
                    return

    def close(self) -> None:
        self.server.close()
        for conn in self.connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def peer(tmp_path) -> Iterator[Callable[[Reply], Peer]]:
    made: list[Peer] = []

    def make(reply: Reply) -> Peer:
        made.append(Peer(tmp_path / "docker.sock", reply))
        return made[-1]

    yield make
    for one in made:
        one.close()


def engine_api(target: str, api: str = "1.47", chunks: int = 0) -> bytes | None:
    """A small engine: version, a listing, one container and its stats; 404 for the rest."""
    if target == "/version":
        return answer({"ApiVersion": api, "Version": "27.0"})
    if target == "/containers/json?all=1":
        return answer([{"Id": "abc", "State": "running", "Status": "Up 2 hours"}], chunks=chunks)
    if target == "/containers/abc/json":
        inspect = {"Id": "abc", "Name": "/web", "RestartCount": 2, "State": {"Status": "running"}}
        return answer(inspect, chunks=chunks)
    if target == "/containers/abc/stats?stream=false&one-shot=true":
        stats = {"cpu_stats": {"cpu_usage": {"total_usage": 5}, "online_cpus": 2}}
        return answer(stats, chunks=chunks)
    return answer({"message": f"No such container: {target}"}, "404 Not Found")


@pytest.mark.parametrize("chunks", [0, 3], ids=["content-length", "chunked"])
def test_answers_are_decoded_and_one_connection_serves_every_call(peer, chunks):
    server = peer(lambda target: engine_api(target, chunks=chunks))
    engine = SocketEngine.connect(server.path, timeout=5)
    try:
        assert engine.container_ids() == {"abc": "running|Up 2 hours"}
        container = engine.inspect("abc")
        stats = engine.stats("abc")
    finally:
        engine.close()
    assert isinstance(container, Container)
    assert (container.name, container.restart_count) == ("/web", 2)
    assert container.state.status == "running"
    assert isinstance(stats, Stats)
    assert (stats.cpu_stats.cpu_usage.total_usage, stats.cpu_stats.online_cpus) == (5, 2)
    assert {number for number, _ in server.seen} == {1}
    assert len(server.seen) == 4


def test_a_gone_container_is_a_lookup_error_with_the_engines_message(peer):
    engine = SocketEngine.connect(peer(engine_api).path, timeout=5)
    with pytest.raises(LookupError, match="No such container"):
        engine.inspect("gone")
    engine.close()


def test_an_error_answer_raises_with_status_and_message(peer):
    def reply(target: str) -> bytes | None:
        if target == "/version":
            return engine_api(target)
        return answer({"message": "daemon is shutting down"}, "500 Internal Server Error")

    engine = SocketEngine.connect(peer(reply).path, timeout=5)
    with pytest.raises(EngineError, match="500 daemon is shutting down"):
        engine.container_ids()
    engine.close()


def test_a_kept_alive_connection_the_engine_closed_is_retried_on_a_new_one(peer):
    calls: list[str] = []

    def reply(target: str) -> bytes | None:
        calls.append(target)
        if len(calls) == 2:
            return None  # the engine restarted: the kept-alive connection is dead
        return engine_api(target)

    server = peer(reply)
    engine = SocketEngine.connect(server.path, timeout=5)
    assert engine.container_ids() == {"abc": "running|Up 2 hours"}
    engine.close()
    assert [number for number, _ in server.seen] == [1, 1, 2]


def test_connection_close_answers_are_not_kept(peer):
    def reply(target: str) -> bytes | None:
        return answer({"ApiVersion": "1.47"}, close=True)

    server = peer(reply)
    engine = SocketEngine.connect(server.path, timeout=5)
    engine.get("/version")
    engine.close()
    assert [number for number, _ in server.seen] == [1, 2]


def test_no_socket_means_no_engine(tmp_path):
    with pytest.raises(EngineUnavailableError, match="No such file"):
        SocketEngine.connect(str(tmp_path / "missing.sock"), timeout=5)


def test_an_engine_that_goes_away_mid_answer_is_unavailable(peer):
    def reply(target: str) -> bytes | None:
        if target == "/version":
            return engine_api(target)
        return Cut(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{}")  # 98 bytes short

    engine = SocketEngine(peer(reply).path, timeout=5)
    with pytest.raises(EngineUnavailableError):
        engine.container_ids()
    engine.close()


def test_something_that_is_not_http_is_an_engine_error(peer):
    engine = SocketEngine(peer(lambda target: b"SSH-2.0-OpenSSH\r\n\r\n").path, timeout=5)
    with pytest.raises(EngineError, match="not HTTP"):
        engine.get("/version")
    engine.close()


def test_an_engine_older_than_api_1_41_gives_no_stats(peer):
    engine = SocketEngine.connect(peer(lambda t: engine_api(t, api="1.40")).path, timeout=5)
    assert engine.stats("abc") is None
    assert not engine.one_shot
    engine.close()


def test_stats_of_several_containers_are_asked_together_and_a_gone_one_is_left_out(peer):
    answered = threading.Event()
    arrived: list[str] = []

    def reply(target: str) -> bytes | None:
        if "/stats" in target:
            arrived.append(target)
            if len(arrived) == 3:
                answered.set()  # every request arrived before the first answer goes out
            assert answered.wait(5)
        return engine_api(target)

    server = peer(reply)
    engine = SocketEngine.connect(server.path, timeout=5)
    try:
        first = engine.stats_many(["abc", "gone", "abc"])
        again = engine.stats_many(["abc"])
    finally:
        engine.close()
    assert list(first) == ["abc"]
    stats = first["abc"]
    assert isinstance(stats, Stats)
    assert stats.cpu_stats.cpu_usage.total_usage == 5
    assert isinstance(again["abc"], Stats)
    stats_connections = [number for number, target in server.seen if "/stats" in target]
    assert len(set(stats_connections[:3])) == 3  # one connection each, all at once
    assert stats_connections[3] in stats_connections[:3]  # and kept for the next collection


def test_a_stats_request_on_a_connection_the_engine_closed_is_asked_again(peer):
    calls: list[str] = []

    def reply(target: str) -> bytes | None:
        calls.append(target)
        if len(calls) == 2:
            return None  # the engine restarted: the kept-alive connection is dead
        return engine_api(target)

    engine = SocketEngine.connect(peer(reply).path, timeout=5)
    try:
        found = engine.stats_many(["abc"])
    finally:
        engine.close()
    assert isinstance(found["abc"], Stats)
    assert len(calls) == 3


def test_an_engine_older_than_api_1_41_gives_no_stats_for_a_batch(peer):
    engine = SocketEngine.connect(peer(lambda t: engine_api(t, api="1.40")).path, timeout=5)
    assert engine.stats_many(["abc", "def"]) == {"abc": None, "def": None}
    engine.close()


def test_events_are_split_into_lines_across_chunks_and_close_ends_the_stream(peer):
    events = [
        {"Type": "container", "Action": "die", "Actor": {"Attributes": {"name": "web"}}},
        {"Type": "container", "Action": "oom", "Actor": {"Attributes": {"name": "db"}}},
    ]
    text = b"".join(json.dumps(e).encode() + b"\n" for e in events)
    cut = len(text) // 3  # chunk boundaries inside the events

    def reply(target: str) -> bytes | None:
        if target == "/version":
            return engine_api(target)
        head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        return head + b"".join(
            b"%x\r\n%s\r\n" % (len(p), p) for p in (text[:cut], text[cut:]) if p
        )  # and no end: the stream stays open

    server = peer(reply)
    engine = SocketEngine.connect(server.path, timeout=5)
    stream = engine.events()
    received: list[object] = []
    iterator = iter(stream)
    received.append(next(iterator))
    received.append(next(iterator))
    ended = threading.Event()

    def rest() -> None:
        received.extend(iterator)
        ended.set()

    threading.Thread(target=rest, daemon=True).start()
    stream.close()
    assert ended.wait(10), "close did not wake the reading thread"
    assert received == events
    assert server.seen[-1][1].startswith("/events?filters=")
    assert "health_status" in server.seen[-1][1]
    engine.close()


async def test_an_engine_over_tcp_goes_through_the_sdk():
    from hub.collectors.docker import DockerCollector
    from hub.lib.clock import ManualClock

    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    collector = DockerCollector(
        ManualClock(), environ={"DOCKER_HOST": f"tcp://127.0.0.1:{port}"}, required=True
    )
    try:
        with pytest.raises(EngineUnavailableError, match=f"tcp://127.0.0.1:{port}") as raised:
            await collector.collect()
        assert "HTTPConnectionPool" in str(raised.value.__cause__)  # urllib3's words: the SDK
    finally:
        await collector.aclose()
