"""The collector contract."""

from __future__ import annotations

from typing import ClassVar, Protocol

import msgspec

from hub.domain.samples import Sample


class FieldInfo(msgspec.Struct, frozen=True):
    """A metric a collector produces: its name and the labels that tell its series apart."""

    metric: str
    labels: tuple[str, ...] = ()


class Collector(Protocol):
    """A source of samples.

    ``collect`` returns the samples of one collection; it runs blocking calls in a thread and
    raises on failure (the job logs it and tries again next interval). Constructing a collector
    does no I/O.
    """

    name: ClassVar[str]
    fields: ClassVar[tuple[FieldInfo, ...]]

    async def collect(self) -> list[Sample]:
        """One collection's samples."""
        ...
