"""Docker containers through the Engine API: state, health, restarts, uptime, CPU, memory,
network and block I/O; container events (die, oom, health_status …) collect at once."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import threading
from collections.abc import AsyncIterator, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import TypeVar, cast

from hub.collectors.docker_engine import (
    CONCURRENCY,
    DEFAULT_HOST,
    DEFAULT_SOCKET,
    TIMEOUT,
    Engine,
    EngineUnavailableError,
    EventStream,
)
from hub.collectors.docker_socket import SocketEngine
from hub.collectors.docker_stats import (
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

DEBOUNCE = 0.2
"""Seconds to gather a burst of events (five containers dying at once) into one collection."""

T = TypeVar("T")


def engine_expected(environ: Mapping[str, str], default_socket: Path = DEFAULT_SOCKET) -> bool:
    """Whether a Docker Engine is worth trying: ``DOCKER_HOST`` is set or the default socket
    exists. A stat, no connection, so start-up never waits on Docker."""
    return bool(environ.get("DOCKER_HOST")) or default_socket.exists()


def docker_collectors(
    collection: CollectionConfig,
    clock: Clock,
    environ: Mapping[str, str],
    default_socket: Path = DEFAULT_SOCKET,
    host: str | None = None,
) -> list[DockerCollector]:
    """The Docker collector when ``collection.docker`` is ``on``, or ``auto`` and an engine is
    expected; none otherwise."""
    mode = collection.docker
    if isinstance(mode, bool):  # a bare on/off in YAML
        mode = "on" if mode else "off"
    if mode == "off" or (mode == "auto" and not engine_expected(environ, default_socket)):
        return []
    return [
        DockerCollector(
            clock,
            float(collection.interval),
            host=host,
            required=mode == "on",
            environ=environ,
        )
    ]


def _connect(environ: Mapping[str, str], timeout: int) -> Engine:
    """Our own client for an engine on a unix socket (the usual case; a few times cheaper per
    call); the docker SDK for the others (TCP, TLS, SSH), imported here on first use."""
    host = environ.get("DOCKER_HOST") or DEFAULT_HOST
    if host.startswith("unix://"):
        return SocketEngine.connect(host.removeprefix("unix://"), timeout)
    from hub.collectors.docker_sdk import SdkEngine

    return SdkEngine.connect(environ, timeout)


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
        self._connect = connect or partial(_connect, dict(environ), timeout)
        self._debounce = debounce
        # Own threads: a hung dockerd ties up these, never the loop's default executor.
        self._concurrency = concurrency
        self._pool = ThreadPoolExecutor(concurrency, thread_name_prefix="docker")
        self._engine: Engine | None = None
        self._connecting = asyncio.Lock()  # a collection and the event stream may start at once
        self._previous: dict[str, Counters] = {}
        self._inspected: dict[str, tuple[str, Container]] = {}
        """Per container id: the listing's text when it was inspected, and what inspect said."""
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
        listing = await self._run(engine.container_ids)
        # A container whose listing text is unchanged is not inspected again (half the calls).
        containers = {
            cid: seen[1]
            for cid, text in listing.items()
            if (seen := self._inspected.get(cid)) is not None and seen[0] == text
        }
        fresh = [cid for cid in listing if cid not in containers]
        # Every read finishes (each bounded by the client's timeout) before a failure is raised:
        # closing the client under a running read would leave that read a new, unclosed pool.
        inspected = await self._each(_inspect, engine, fresh)
        containers |= {cid: c for cid, c in zip(fresh, inspected, strict=True) if c is not None}
        running = [cid for cid, c in containers.items() if c.state.status == "running"]
        stats = await self._stats(engine, running)
        samples: list[Sample] = []
        previous, self._previous = self._previous, {}
        self._inspected = {}
        for cid, text in listing.items():
            container = containers.get(cid)
            if container is None or (cid in running and cid not in stats):
                continue  # removed meanwhile
            self._inspected[cid] = (text, container)
            labels = labels_of(container, self._host)
            samples.extend(state_samples(container, labels, now))
            if (raw := stats.get(cid)) is not None:
                usage, counters = usage_samples(raw, previous.get(cid), labels, now)
                samples.extend(usage)
                self._previous[cid] = counters
        return samples

    async def _stats(self, engine: Engine, ids: list[str]) -> dict[str, Stats | None]:
        """One-shot stats of running containers ``ids``; a container gone meanwhile is left
        out. Our socket client asks for a batch from one thread (``SocketEngine.stats_many``:
        one hand-off instead of one per container); the SDK is asked in a thread per call."""
        if isinstance(engine, SocketEngine):
            found: dict[str, Stats | None] = {}
            for start in range(0, len(ids), self._concurrency):
                found |= await self._run(engine.stats_many, ids[start : start + self._concurrency])
            return found
        readings = await self._each(_stats_of, engine, ids)
        return {cid: stats for cid, (gone, stats) in zip(ids, readings, strict=True) if not gone}

    async def _each(
        self, call: Callable[[Engine, str], T], engine: Engine, ids: list[str]
    ) -> list[T]:
        """``call(engine, id)`` for each of ``ids`` on the worker threads, concurrently; the
        first failure is raised once every call has finished."""
        results = await asyncio.gather(
            *(self._run(call, engine, cid) for cid in ids), return_exceptions=True
        )
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return cast(list[T], results)

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


def _inspect(engine: Engine, container_id: str) -> Container | None:
    """What inspect says, or None when the container was removed meanwhile."""
    try:
        return parse_container(engine.inspect(container_id))
    except LookupError:
        return None


def _stats_of(engine: Engine, container_id: str) -> tuple[bool, Stats | None]:
    """(gone, one-shot stats or None when the engine gives none) of a running container."""
    try:
        raw = engine.stats(container_id)
    except LookupError:
        return True, None
    return False, None if raw is None else parse_stats(raw)


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
