"""What the Docker collector needs of an engine, without the docker SDK: its address, limits,
the ``Engine`` calls and their failure. The SDK (``docker_sdk``, with requests) is imported only
when the collector connects, so a hub that never collects containers does not load it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Protocol

DEFAULT_SOCKET = Path("/var/run/docker.sock")
DEFAULT_HOST = f"unix://{DEFAULT_SOCKET}"
TIMEOUT = 5
"""Seconds before an Engine API call counts as failed, so a hung dockerd cannot stall a run."""
CONCURRENCY = 32
"""Engine API calls in flight at once (through the docker SDK one thread each; our socket
client sends that many stats requests together from one thread). dockerd answers a one-shot
stats call at the next tick of its 1 s stats collector, so the calls of one collection are made
together: they all wait for the same tick."""


class EngineUnavailableError(Exception):
    """No Docker Engine answers (socket missing, connection refused)."""


class EventStream(Protocol):
    """Decoded engine events, ended from another thread by ``close``."""

    def __iter__(self) -> Iterator[Mapping[str, object]]: ...

    def close(self) -> None: ...


class Engine(Protocol):
    """The few Engine API calls the collector makes; blocking, called from worker threads."""

    def container_ids(self) -> Mapping[str, str]:
        """Every container's id and a text that changes whenever its state, health, restart
        count or start time may have (the listing's state and status), so an unchanged
        container need not be inspected again."""
        ...

    def inspect(self, container_id: str) -> object:
        """The container's inspect answer; raises ``LookupError`` when it is gone."""
        ...

    def stats(self, container_id: str) -> object | None:
        """One-shot stats, or None when the engine cannot give them cheaply."""
        ...

    def events(self) -> EventStream: ...

    def close(self) -> None: ...
