"""The collector contract."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol, runtime_checkable

from hub.domain.samples import Sample


class Collector(Protocol):
    """A source of samples, collected every ``interval`` seconds by the job ``collect:<name>``.

    ``collect`` returns the samples of one collection; it runs blocking calls in a thread and
    raises on failure (the job logs it and tries again next interval), so a failing source is
    contained to its own job. Constructing a collector does no I/O.
    """

    @property
    def name(self) -> str:
        """Unique among the hub's collectors: ``system``, ``docker``, ``http:<service>`` …"""
        ...

    @property
    def interval(self) -> float:
        """Seconds between collections."""
        ...

    async def collect(self) -> list[Sample]:
        """One collection's samples."""
        ...


@runtime_checkable
class Triggered(Protocol):
    """A collector that also knows when to collect at once (e.g. a container died)."""

    def triggers(self) -> AsyncIterator[str]:
        """Yields a reason each time a collection should run now; ends when the source closes.

        Raises on failure; the hub logs it and subscribes again after a pause.
        """
        ...


@runtime_checkable
class Closeable(Protocol):
    """A collector holding resources (a client, a socket) that the hub closes at shutdown."""

    async def aclose(self) -> None:
        """Release the collector's resources."""
        ...
