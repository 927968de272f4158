"""The time-series API the rest of the hub uses; rows live in the store."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from hub.domain.samples import Sample, fingerprint
from hub.store import Store
from hub.store.repos import SeriesRange

__all__ = ["TSDB", "SeriesRange"]


def series_key(name: str, labels: dict[str, str]) -> str:
    """The identity of a series: its metric name plus labels."""
    return fingerprint({**labels, "__name__": name})


class TSDB:
    """Samples in, latest values and ranges out."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._series_ids: dict[str, int] = {}

    async def write(self, samples: Sequence[Sample]) -> None:
        """Store a batch of samples in one transaction."""
        if not samples:
            return
        keys = [series_key(s.name, s.labels) for s in samples]
        missing = {
            k: (s.name, s.labels)
            for k, s in zip(keys, samples, strict=True)
            if k not in self._series_ids
        }
        async with self._store.tx() as tx:
            if missing:
                self._series_ids.update(await tx.samples.series_ids(missing))
            await tx.samples.insert(
                [
                    (self._series_ids[k], round(s.time * 1000), s.value)
                    for k, s in zip(keys, samples, strict=True)
                ]
            )

    async def latest(self, since: datetime, name: str | None = None) -> list[Sample]:
        """The newest sample of every series (of metric ``name``) seen since ``since``."""
        async with self._store.tx() as tx:
            return await tx.samples.latest(name, int(since.timestamp() * 1000))

    async def range(self, name: str, start: datetime, end: datetime) -> list[SeriesRange]:
        """All samples of metric ``name`` between ``start`` and ``end``, per series."""
        async with self._store.tx() as tx:
            return await tx.samples.range(
                name, int(start.timestamp() * 1000), int(end.timestamp() * 1000)
            )

    async def prune(self, before: datetime) -> int:
        """Delete samples older than ``before``; returns how many."""
        async with self._store.tx() as tx:
            return await tx.samples.delete_before(int(before.timestamp() * 1000))
