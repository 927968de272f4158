"""The docker SDK at the edge: the few Engine API calls the Docker collector makes, with
connection failures told apart and the SDK's unix-socket pooling mended."""

from __future__ import annotations

import contextlib
import logging
import socket
from collections.abc import Iterator, Mapping
from typing import Any

import docker
import requests
from docker.transport import UnixHTTPAdapter
from docker.transport.unixconn import UnixHTTPConnection, UnixHTTPConnectionPool
from docker.utils import version_lt

from hub.collectors.docker_engine import (
    CONCURRENCY,
    DEFAULT_HOST,
    EngineUnavailableError,
    EventStream,
)
from hub.collectors.docker_stats import TRIGGER_ACTIONS

log = logging.getLogger(__name__)


class SdkEngine:
    """``Engine`` on the docker SDK's low-level client; connection failures become
    ``EngineUnavailableError``."""

    def __init__(self, api: docker.APIClient) -> None:
        self._api = api
        _share_one_pool(api)
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

    def container_ids(self) -> dict[str, str]:
        """Every container, stopped ones included: id → its state and status ("running", "Up
        2 hours (healthy)"), which a restart, a health change or an exit changes."""
        with _unavailable_on_connection_error():
            listing = self._api.containers(all=True)
        return {c["Id"]: f"{c.get('State')}|{c.get('Status')}" for c in listing}

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


_POOL_KEY = "http+docker://localhost"


class _ClosingUnixConnection(UnixHTTPConnection):
    """The SDK's connection, but a refused connect closes its socket instead of leaving it to
    the garbage collector (and a ResourceWarning)."""

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.settimeout(self.timeout)
            sock.connect(self.unix_socket)
        except BaseException:
            sock.close()
            raise
        self.sock = sock


class _ClosingUnixPool(UnixHTTPConnectionPool):
    def _new_conn(self) -> Any:  # urllib3 types it as its own connection base class
        timeout: Any = self.timeout  # seconds: the SDK's pool keeps the number it was given
        return _ClosingUnixConnection(self.base_url, self.socket_path, timeout)


class _OnePoolAdapter(UnixHTTPAdapter):
    """The SDK's unix-socket adapter keys its pools by full URL, so each container's inspect and
    stats URL gets a pool of its own: idle sockets pile up, and past 25 URLs every call connects
    afresh (docker/transport/unixconn.py). One socket, one pool."""

    def get_connection(self, url: str | bytes, proxies: object = None) -> Any:
        with self.pools.lock:
            pool = self.pools.get(_POOL_KEY)
            if pool is None:
                pool = _ClosingUnixPool(
                    _POOL_KEY, self.socket_path, self.timeout, maxsize=self.max_pool_size
                )
                self.pools[_POOL_KEY] = pool
        return pool


def _share_one_pool(api: docker.APIClient) -> None:
    adapter = api.get_adapter(_POOL_KEY)
    if isinstance(adapter, UnixHTTPAdapter) and not isinstance(adapter, _OnePoolAdapter):
        api.mount(
            "http+docker://",
            _OnePoolAdapter(
                f"http+unix://{adapter.socket_path}",
                timeout=adapter.timeout,
                max_pool_size=adapter.max_pool_size,
            ),
        )
        adapter.close()


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
