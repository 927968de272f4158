"""The Engine API over its unix socket with a small HTTP/1.1 client of our own.

A hub watching a dozen containers every 10 s makes a listing and a one-shot stats call per
container each time; through the docker SDK (requests, urllib3, http.client, then json into
dicts) each call cost about 3 ms of CPU, most of the hub's. Here a call is a request line on a
kept-alive socket and msgspec decoding the answer straight into the structs we use. Engines
reached over TCP, TLS or SSH still go through the SDK (``docker_sdk``).
API reference: https://docs.docker.com/reference/api/engine/
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator, Mapping, Sequence
from urllib.parse import quote

import msgspec

from hub.collectors.docker_engine import CONCURRENCY, EngineUnavailableError, EventStream
from hub.collectors.docker_stats import TRIGGER_ACTIONS, Container, Stats

ONE_SHOT_API = (1, 41)
"""One-shot stats (no ~2 s wait for a second sample) arrived with API 1.41, Docker 20.10."""
LINE_LIMIT = 65536
"""Longest status, header or chunk-size line accepted from the engine."""


class EngineError(Exception):
    """The engine answered with an error status, or with something that is not HTTP."""


class _Listed(msgspec.Struct, frozen=True, rename="pascal"):
    id: str
    state: str = ""
    status: str = ""


class _Version(msgspec.Struct, frozen=True, rename="pascal"):
    api_version: str = "1.24"


class _Connection:
    """One HTTP/1.1 connection to the engine's socket; not thread-safe (one caller at a time).

    Raises ``EngineUnavailableError`` when nothing accepts the connection."""

    def __init__(self, path: str, timeout: float) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.settimeout(timeout)
            sock.connect(path)
        except OSError as error:
            sock.close()
            raise EngineUnavailableError(f"{path}: {error.strerror or error}") from None
        self.sock = sock
        self.reader = sock.makefile("rb")
        self.reusable = True

    def request(self, target: str) -> tuple[int, dict[str, str]]:
        """Send ``GET target``; return the answer's status and headers (names lower-case)."""
        self.send(target)
        return self.answer()

    def send(self, target: str) -> None:
        """Send ``GET target`` (read its answer with ``answer``)."""
        self.sock.sendall(f"GET {target} HTTP/1.1\r\nHost: docker\r\n\r\n".encode("ascii"))

    def answer(self) -> tuple[int, dict[str, str]]:
        """The status and headers (names lower-case) of the answer to the request sent."""
        line = self._line()
        version, _, rest = line.partition(b" ")
        if not version.startswith(b"HTTP/1.") or not rest[:3].isdigit():
            raise EngineError(f"the engine's answer is not HTTP/1.x: {line[:80]!r}")
        headers: dict[str, str] = {}
        while (line := self._line()) not in (b"\r\n", b"\n"):
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        if headers.get("connection", "").lower() == "close" or version == b"HTTP/1.0":
            self.reusable = False
        return int(rest[:3]), headers

    def body(self, headers: Mapping[str, str]) -> bytes:
        """The whole body of the answer whose ``headers`` were just read."""
        if headers.get("transfer-encoding", "").lower() == "chunked":
            return b"".join(self.chunks())
        if "content-length" not in headers:
            self.reusable = False
            return self.reader.read()
        length = int(headers["content-length"])
        data = self.reader.read(length)
        if len(data) < length:
            raise ConnectionAbortedError("the engine closed the connection mid-answer")
        return data

    def chunks(self) -> Iterator[bytes]:
        """The chunks of a chunked body, as they arrive."""
        while True:
            size = int(self._line().split(b";", 1)[0].strip() or b"x", 16)
            if size == 0:
                while self._line() not in (b"\r\n", b"\n"):  # trailers
                    pass
                return
            data = self.reader.read(size)
            if len(data) < size:
                raise ConnectionAbortedError("the engine closed the connection mid-answer")
            self._line()  # the CRLF ending the chunk
            yield data

    def _line(self) -> bytes:
        line = self.reader.readline(LINE_LIMIT)
        if not line.endswith(b"\n"):
            if not line:
                raise ConnectionAbortedError("the engine closed the connection")
            raise EngineError("the engine sent an overlong or cut line")
        return line

    def close(self) -> None:
        self.reusable = False
        self.reader.close()
        self.sock.close()


class _Decoders:
    """The answers' decoders, made before any call. msgspec builds a struct type's decoding
    info on its first use; made here, on the one thread creating the engine, that never
    happens on the worker threads calling it concurrently (a hub once died of a segfault in
    msgspec's struct decoding on such a thread at its first collections; the cause is not
    proven, this rules out concurrent first use)."""

    def __init__(self) -> None:
        self.listing = msgspec.json.Decoder(list[_Listed])
        self.container = msgspec.json.Decoder(Container)
        self.stats = msgspec.json.Decoder(Stats)


class SocketEngine:
    """``Engine`` on the unix socket at ``path``: kept-alive connections, at most ``pool`` idle.

    Calls raise ``EngineUnavailableError`` when the engine does not answer, ``LookupError`` for
    a container that is gone, ``EngineError`` for other error answers and ``TimeoutError`` when
    an answer takes longer than ``timeout`` seconds."""

    def __init__(self, path: str, timeout: float, pool: int = CONCURRENCY + 1) -> None:
        self._path = path
        self._timeout = timeout
        self._size = pool
        self._idle: list[_Connection] = []
        self._lock = threading.Lock()
        self._closed = False
        self._one_shot = True
        self._decoders = _Decoders()

    @classmethod
    def connect(cls, path: str, timeout: float) -> SocketEngine:
        """An engine that answered ``GET /version`` (the API version decides one-shot stats)."""
        engine = cls(path, timeout)
        version = msgspec.json.decode(engine.get("/version"), type=_Version).api_version
        engine._one_shot = _version(version) >= ONE_SHOT_API
        return engine

    @property
    def one_shot(self) -> bool:
        """Whether the engine gives one-shot stats."""
        return self._one_shot

    def container_ids(self) -> dict[str, str]:
        """Every container, stopped ones included: id → its state and status."""
        listing = self._decoders.listing.decode(self.get("/containers/json?all=1"))
        return {c.id: f"{c.state}|{c.status}" for c in listing}

    def inspect(self, container_id: str) -> Container:
        """What inspect says that we use; ``LookupError`` when the container is gone."""
        answer = self.get(f"/containers/{quote(container_id)}/json")
        return self._decoders.container.decode(answer)

    def stats(self, container_id: str) -> Stats | None:
        """One-shot stats, or None from an engine older than API 1.41."""
        if not self._one_shot:
            return None
        return self._decoders.stats.decode(self.get(_stats_target(container_id)))

    def stats_many(self, container_ids: Sequence[str]) -> dict[str, Stats | None]:
        """One-shot stats of several containers, asked together from this one thread: every
        request goes out on a connection of its own before any answer is read, so dockerd
        answers them all at its next stats tick (about a second), as concurrent calls on
        worker threads did, for one thread hand-off instead of one per container (12
        containers: 1.4 ms of CPU instead of 6.2 ms). A container that is gone is left out;
        from an engine older than API 1.41 every value is None.

        A request whose connection failed (a kept-alive one the engine closed meanwhile) is
        asked again alone (``get``, with its retry); a timeout and error answers raise as in
        ``get``, once every connection is given back or closed."""
        if not self._one_shot:
            return dict.fromkeys(container_ids)
        sent: list[tuple[str, _Connection | None]] = []
        try:
            for container_id in container_ids:
                connection = self._take()[0]
                try:
                    connection.send(_stats_target(container_id))
                except OSError:
                    connection.close()
                    sent.append((container_id, None))
                else:
                    sent.append((container_id, connection))
            found: dict[str, Stats | None] = {}
            for index, (container_id, waiting) in enumerate(sent):
                sent[index] = (container_id, None)  # given back or closed below
                try:
                    body = self._stats_answer(container_id, waiting)
                except LookupError:
                    continue
                found[container_id] = self._decoders.stats.decode(body)
            return found
        finally:
            for _, unread in sent:
                if unread is not None:
                    unread.close()

    def _stats_answer(self, container_id: str, connection: _Connection | None) -> bytes:
        """The body answering the stats request sent on ``connection`` (None: not sent)."""
        target = _stats_target(container_id)
        if connection is None:
            return self.get(target)
        try:
            status, headers = connection.answer()
            body = connection.body(headers)
        except OSError as error:
            connection.close()
            if isinstance(error, TimeoutError):
                raise
            return self.get(target)
        except BaseException:
            connection.close()
            raise
        self._give_back(connection)
        return _checked(target, status, body)

    def events(self) -> EventStream:
        """Container events that should trigger a collection, filtered by the engine."""
        filters = msgspec.json.encode({"type": ["container"], "event": sorted(TRIGGER_ACTIONS)})
        connection = _Connection(self._path, self._timeout)
        try:
            status, headers = connection.request(f"/events?filters={quote(filters)}")
            if status != 200:
                raise EngineError(f"/events: {status} {connection.body(headers)[:200]!r}")
        except BaseException:
            connection.close()
            raise
        connection.sock.settimeout(None)  # events come when they come
        return _SocketEvents(connection, headers)

    def get(self, target: str) -> bytes:
        """The body of a successful ``GET target``.

        A kept-alive connection the engine has closed meanwhile (it restarted) is retried once
        on a new one: a GET can be sent twice."""
        for attempt in range(2):
            connection, reused = self._take()
            try:
                status, headers = connection.request(target)
                body = connection.body(headers)
            except OSError as error:
                connection.close()
                if reused and attempt == 0 and not isinstance(error, TimeoutError):
                    self._drop_idle()
                    continue
                if isinstance(error, ConnectionError):
                    raise EngineUnavailableError(f"{self._path}: {error}") from error
                raise
            except BaseException:
                connection.close()
                raise
            self._give_back(connection)
            return _checked(target, status, body)
        raise AssertionError("unreachable: the second attempt uses a new connection")

    def close(self) -> None:
        """Close the idle connections; calls still running close theirs when done."""
        with self._lock:
            self._closed = True
        self._drop_idle()

    def _take(self) -> tuple[_Connection, bool]:
        with self._lock:
            if self._idle:
                return self._idle.pop(), True
        return _Connection(self._path, self._timeout), False

    def _give_back(self, connection: _Connection) -> None:
        with self._lock:
            if connection.reusable and not self._closed and len(self._idle) < self._size:
                self._idle.append(connection)
                return
        connection.close()

    def _drop_idle(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()


class _SocketEvents:
    """The ``/events`` stream: one JSON object per line, in chunks that need not end lines."""

    def __init__(self, connection: _Connection, headers: Mapping[str, str]) -> None:
        self._connection = connection
        self._chunked = headers.get("transfer-encoding", "").lower() == "chunked"
        self._closed = False

    def __iter__(self) -> Iterator[Mapping[str, object]]:
        pending = b""
        try:
            for data in self._data():
                *lines, pending = (pending + data).split(b"\n")
                for line in lines:
                    if line.strip():
                        event = msgspec.json.decode(line)
                        if isinstance(event, dict):
                            yield event
        except (OSError, ValueError):  # ValueError: read after ``close`` closed the file
            if not self._closed:
                raise

    def _data(self) -> Iterator[bytes]:
        if self._chunked:
            yield from self._connection.chunks()
        else:
            yield from iter(lambda: self._connection.reader.read1(LINE_LIMIT), b"")

    def close(self) -> None:
        """End the stream; wakes the thread blocked reading it."""
        self._closed = True
        with contextlib.suppress(OSError):
            self._connection.sock.shutdown(socket.SHUT_RDWR)
        self._connection.close()


def _stats_target(container_id: str) -> str:
    return f"/containers/{quote(container_id)}/stats?stream=false&one-shot=true"


def _version(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split("."))
    except ValueError:
        return (0,)


def _checked(target: str, status: int, body: bytes) -> bytes:
    """``body`` of a successful answer to ``GET target``.

    Raises:
        LookupError: 404, the object is gone.
        EngineError: any other error status.
    """
    if status == 404:
        raise LookupError(f"{target}: {_message(body)}")
    if status >= 400:
        raise EngineError(f"{target}: {status} {_message(body)}")
    return body


def _message(body: bytes) -> str:
    """The engine's ``{"message": …}`` error text, else the start of the body."""
    try:
        decoded = msgspec.json.decode(body)
    except msgspec.DecodeError:
        decoded = None
    if isinstance(decoded, dict) and isinstance(decoded.get("message"), str):
        return str(decoded["message"])
    return body[:200].decode("utf-8", "replace")
