"""Docker containers through the Engine API: state, health, restarts, uptime, CPU, memory,
network and block I/O; container events (die, oom, health_status …) collect at once."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import threading
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any, Protocol, TypeVar

import docker
import requests
from docker.utils import version_lt

from hub.collectors.docker_stats import (
    TRIGGER_ACTIONS,
    Container,
    Counters,
    Stats,
    event_reason,
    labels_of,
    parse_container,
    parse_stats,
    state_samples,
    usage_samples,
)
from hub.domain.config import CollectionConfig
from hub.domain.samples import Sample
from hub.lib.clock import Clock

log = logging.getLogger(__name__)

DEFAULT_SOCKET = Path("/var/run/docker.sock")
DEFAULT_HOST = f"unix://{DEFAULT_SOCKET}"
TIMEOUT = 5
"""Seconds before an Engine API call counts as failed, so a hung dockerd cannot stall a run."""
CONCURRENCY = 32
"""Engine API calls in flight at once (one thread each, apart from the hub's other threads).
dockerd answers a one-shot stats call at the next tick of its 1 s stats collector, so the
calls of one collection are made together: they all wait for the same tick."""
DEBOUNCE = 0.2
"""Seconds to gather a burst of events (five containers dying at once) into one collection."""

T = TypeVar("T")


class EngineUnavailableError(Exception):
    """No Docker Engine answers (socket missing, connection refused)."""


class EventStream(Protocol):
    """Decoded engine events, ended from another thread by ``close``."""

    def __iter__(self) -> Iterator[Mapping[str, object]]: ...

    def close(self) -> None: ...


class Engine(Protocol):
    """The few Engine API calls the collector makes; blocking, called from worker threads."""

    def container_ids(self) -> list[str]: ...

    def inspect(self, container_id: str) -> object:
        """The container's inspect answer; raises ``LookupError`` when it is gone."""
        ...

    def stats(self, container_id: str) -> object | None:
        """One-shot stats, or None when the engine cannot give them cheaply."""
        ...

    def events(self) -> EventStream: ...

    def close(self) -> None: ...


class SdkEngine:
    """``Engine`` on the docker SDK's low-level client; connection failures become
    ``EngineUnavailableError``."""

    def __init__(self, api: docker.APIClient) -> None:
        self._api = api
        # one-shot stats (no ~2 s wait for a second sample) arrived with API 1.41, Docker 20.10.
        self._one_shot = not version_lt(api.api_version, "1.41")
        if not self._one_shot:
            log.warning("Docker Engine API %s is older than 1.41: no CPU/memory", api.api_version)

    @classmethod
    def connect(cls, environ: Mapping[str, str], timeout: int) -> SdkEngine:
        """A client as ``docker.from_env`` makes it (``DOCKER_HOST``, TLS variables).

        Raises:
            EngineUnavailableError: nothing answers (asking the API version is the first call).
        """
        _probe(environ.get("DOCKER_HOST") or DEFAULT_HOST, timeout)
        try:
            client = docker.from_env(
                environment=dict(environ), timeout=timeout, max_pool_size=CONCURRENCY + 1
            )
        except docker.errors.DockerException as error:
            raise EngineUnavailableError(str(error)) from error
        return cls(client.api)

    def container_ids(self) -> list[str]:
        """Ids of every container, stopped ones included."""
        with _unavailable_on_connection_error():
            return [c["Id"] for c in self._api.containers(all=True)]

    def inspect(self, container_id: str) -> object:
        """The inspect answer; ``LookupError`` when the container was removed meanwhile."""
        with _unavailable_on_connection_error(), _lookup_error_on_not_found():
            result: object = self._api.inspect_container(container_id)
            return result

    def stats(self, container_id: str) -> object | None:
        """One-shot stats (never the streaming call, which waits for a second sample)."""
        if not self._one_shot:
            return None
        with _unavailable_on_connection_error(), _lookup_error_on_not_found():
            result: object = self._api.stats(container_id, stream=False, one_shot=True)
            return result

    def events(self) -> EventStream:
        """Container events that should trigger a collection, filtered by the engine."""
        with _unavailable_on_connection_error():
            stream = self._api.events(
                filters={"type": "container", "event": sorted(TRIGGER_ACTIONS)}, decode=True
            )
        return _SdkEvents(stream)

    def close(self) -> None:
        """Close the client's connections."""
        self._api.close()


class _SdkEvents:
    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def __iter__(self) -> Iterator[Mapping[str, object]]:
        return iter(self._stream)

    def close(self) -> None:
        # Shuts the socket down, which wakes the thread blocked reading it; a stream that
        # already ended has no socket left to find.
        with contextlib.suppress(OSError, AttributeError):
            self._stream.close()


def _probe(base_url: str, timeout: float) -> None:
    """Raise ``EngineUnavailableError`` when a unix socket accepts no connection.

    The SDK's unix connection leaves the socket of a refused connect to the garbage collector
    (docker/transport/unixconn.py); trying first with a socket we close keeps an absent
    engine, retried every few seconds, from doing that each time."""
    if not base_url.startswith("unix://"):
        return
    path = base_url.removeprefix("unix://")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(timeout)
        try:
            probe.connect(path)
        except OSError as error:
            raise EngineUnavailableError(f"{path}: {error.strerror or error}") from None


@contextlib.contextmanager
def _unavailable_on_connection_error() -> Iterator[None]:
    try:
        yield
    except requests.exceptions.ConnectionError as error:
        raise EngineUnavailableError(str(error)) from error


@contextlib.contextmanager
def _lookup_error_on_not_found() -> Iterator[None]:
    try:
        yield
    except docker.errors.NotFound as error:
        raise LookupError(str(error)) from error


def engine_expected(environ: Mapping[str, str], default_socket: Path = DEFAULT_SOCKET) -> bool:
    """Whether a Docker Engine is worth trying: ``DOCKER_HOST`` is set or the default socket
    exists. A stat, no connection, so start-up never waits on Docker."""
    return bool(environ.get("DOCKER_HOST")) or default_socket.exists()


def docker_collectors(
    collection: CollectionConfig,
    clock: Clock,
    environ: Mapping[str, str],
    default_socket: Path = DEFAULT_SOCKET,
) -> list[DockerCollector]:
    """The Docker collector when ``collection.docker`` is ``on``, or ``auto`` and an engine is
    expected; none otherwise."""
    mode = collection.docker
    if isinstance(mode, bool):  # a bare on/off in YAML
        mode = "on" if mode else "off"
    if mode == "off" or (mode == "auto" and not engine_expected(environ, default_socket)):
        return []
    return [
        DockerCollector(clock, float(collection.interval), required=mode == "on", environ=environ)
    ]


class DockerCollector:
    """Every container of one engine, labelled ``container``, ``image``, ``host`` and the
    compose project and service: ``container_running``, ``container_health``,
    ``restart_count``, ``container_uptime``, and while running ``cpu_usage``,
    ``memory_usage``, ``memory_bytes``, ``network_io`` and ``block_io`` (rates need a previous
    reading). Unless ``required``, an absent engine is noted in the log once and yields no
    samples; with ``required`` every collection raises until it answers."""

    name = "docker"

    def __init__(
        self,
        clock: Clock,
        interval: float = 10.0,
        *,
        host: str | None = None,
        required: bool = False,
        environ: Mapping[str, str] | None = None,
        connect: Callable[[], Engine] | None = None,
        timeout: int = TIMEOUT,
        concurrency: int = CONCURRENCY,
        debounce: float = DEBOUNCE,
    ) -> None:
        self._clock = clock
        self.interval = interval
        self._host = host or socket.gethostname()
        self._required = required
        environ = os.environ if environ is None else environ  # what docker.from_env reads
        self._where = environ.get("DOCKER_HOST") or DEFAULT_HOST
        self._connect = connect or partial(SdkEngine.connect, dict(environ), timeout)
        self._debounce = debounce
        # Own threads: a hung dockerd ties up these, never the loop's default executor.
        self._pool = ThreadPoolExecutor(concurrency, thread_name_prefix="docker")
        self._engine: Engine | None = None
        self._connecting = asyncio.Lock()  # a collection and the event stream may start at once
        self._previous: dict[str, Counters] = {}
        self._streams: set[EventStream] = set()
        self._answered: bool | None = None

    async def collect(self) -> list[Sample]:
        """One reading of every container.

        Raises:
            EngineUnavailableError: no engine answers and the collector is ``required``.
            Exception: the engine failed or timed out (the client is made afresh next time).
        """
        try:
            samples = await self._collect()
        except EngineUnavailableError as error:
            self._drop_engine()
            self._note(answered=False, error=error)
            if self._required:
                raise EngineUnavailableError(
                    f"collection.docker is on but no Docker Engine answers at {self._where}: "
                    f"{error}"
                ) from error
            return []
        except Exception:
            self._drop_engine()
            raise
        self._note(answered=True)
        return samples

    async def triggers(self) -> AsyncIterator[str]:
        """Follows the engine's container events in a thread; yields once per burst.

        Ends quietly when no engine answers (``collect`` reports that) or the stream ends."""
        try:
            engine = await self._ready()
            stream = await self._run(engine.events)
        except EngineUnavailableError:
            return
        queue: asyncio.Queue[str | Exception | None] = asyncio.Queue()
        loop = asyncio.get_running_loop()

        def put(item: str | Exception | None) -> None:
            with contextlib.suppress(RuntimeError):  # the loop closed first
                loop.call_soon_threadsafe(queue.put_nowait, item)

        self._streams.add(stream)
        pump = threading.Thread(target=_pump, args=(stream, put), name="docker-events", daemon=True)
        pump.start()
        try:
            async for reason in bursts(queue, self._debounce):
                yield reason
        finally:
            self._streams.discard(stream)
            stream.close()

    async def aclose(self) -> None:
        """End the event streams and close the client."""
        for stream in list(self._streams):
            stream.close()
        self._drop_engine()
        self._pool.shutdown(wait=False, cancel_futures=True)

    async def _collect(self) -> list[Sample]:
        engine = await self._ready()
        now = self._clock.now().timestamp()
        ids = await self._run(engine.container_ids)
        # Every read finishes (each bounded by the client's timeout) before a failure is raised:
        # closing the client under a running read would leave that read a new, unclosed pool.
        readings = await asyncio.gather(
            *(self._run(_read, engine, cid) for cid in ids), return_exceptions=True
        )
        for reading in readings:
            if isinstance(reading, BaseException):
                raise reading
        samples: list[Sample] = []
        previous, self._previous = self._previous, {}
        for reading in readings:
            if reading is None or isinstance(reading, BaseException):
                continue
            container, stats = reading
            labels = labels_of(container, self._host)
            samples.extend(state_samples(container, labels, now))
            if stats is not None:
                usage, counters = usage_samples(stats, previous.get(container.id), labels, now)
                samples.extend(usage)
                self._previous[container.id] = counters
        return samples

    async def _ready(self) -> Engine:
        async with self._connecting:
            if self._engine is None:
                self._engine = await self._run(self._connect)
            return self._engine

    async def _run(self, call: Callable[..., T], *args: object) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._pool, call, *args)

    def _drop_engine(self) -> None:
        engine, self._engine = self._engine, None
        if engine is not None:
            engine.close()

    def _note(self, *, answered: bool, error: Exception | None = None) -> None:
        """Log when the engine appears or goes away, not at every collection."""
        before, self._answered = self._answered, answered
        if answered and before is False:
            log.info("Docker Engine at %s answers again", self._where)
        elif not answered and before is not False and not self._required:
            if before is None:
                log.info("no Docker Engine at %s (%s): no container metrics", self._where, error)
            else:
                log.warning(
                    "Docker Engine at %s stopped answering (%s); container metrics resume "
                    "when it answers again",
                    self._where,
                    error,
                )


def _read(engine: Engine, container_id: str) -> tuple[Container, Stats | None] | None:
    """Inspect, and stats while running; None when the container was removed meanwhile."""
    try:
        container = parse_container(engine.inspect(container_id))
        if container.state.status != "running":
            return container, None
        raw = engine.stats(container_id)
    except LookupError:
        return None
    return container, None if raw is None else parse_stats(raw)


def _pump(stream: EventStream, put: Callable[[str | Exception | None], None]) -> None:
    """Runs in its own thread: forwards trigger reasons until the stream ends or is closed."""
    try:
        for event in stream:
            reason = event_reason(event)
            if reason is not None:
                put(reason)
    except Exception as error:  # a broken stream ends this subscription; the hub resubscribes
        put(error)
    else:
        put(None)


async def bursts(
    queue: asyncio.Queue[str | Exception | None], debounce: float
) -> AsyncIterator[str]:
    """One summary per burst: the first reason plus those arriving within ``debounce`` seconds.

    Ends at ``None`` and raises an ``Exception`` item, after yielding what came before it."""
    while True:
        first = await queue.get()
        if first is None:
            return
        if isinstance(first, Exception):
            raise first
        await asyncio.sleep(debounce)
        reasons = [first]
        while not queue.empty():
            item = queue.get_nowait()
            if not isinstance(item, str):
                queue.put_nowait(item)  # the end comes after this burst
                break
            reasons.append(item)
        yield summary(reasons)


def summary(reasons: list[str], most: int = 5) -> str:
    """``"die web, die db"``; long bursts are cut to ``most`` reasons and a count."""
    unique = list(dict.fromkeys(reasons))
    text = ", ".join(unique[:most])
    return text if len(unique) <= most else f"{text} and {len(unique) - most} more"


__all__ = ["DockerCollector", "EngineUnavailableError", "docker_collectors", "engine_expected"]
