"""The time-series API the rest of the hub uses; rows live in the store."""

from __future__ import annotations

import functools
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Collection, Iterator, Sequence
from datetime import datetime, timedelta
from itertools import chain, repeat
from operator import attrgetter, lt, mul
from typing import cast

import msgspec

from hub.domain.config import RetentionConfig
from hub.domain.samples import Sample, fingerprint
from hub.store import Store, StoreWriteError
from hub.store.chunks import Columns
from hub.store.engine import Tx
from hub.store.repos import SeriesRange
from hub.tsdb.codec import decode
from hub.tsdb.compact import CompactionReport, compact
from hub.tsdb.downsample import (
    Buckets,
    bucket_step,
    combine_rollups,
    concat,
    downsample,
    samples_as_rollups,
)
from hub.tsdb.rollup import TIERS, Rollups, unpack
from hub.tsdb.selector import Matcher, MatchOp, Selector

__all__ = ["TSDB", "SeriesRange"]

SeriesLabels = tuple[str, tuple[tuple[str, str], ...]]
"""A metric name and its labels' items, in the order the sample gave them."""

_NAME, _LABELS = attrgetter("name"), attrgetter("labels")
_TIME, _VALUE = attrgetter("time"), attrgetter("value")


def _series_labels(samples: Sequence[Sample]) -> Iterator[SeriesLabels]:
    """``(name, label items)`` of each sample, one at a time: ``map`` over C functions, and no
    list of them kept (thousands of live tuples per batch made the garbage collector scan the
    whole heap again and again, which was most of the ingest time)."""
    items = map(tuple, map(dict.items, map(_LABELS, samples)))
    return zip(map(_NAME, samples), items, strict=True)


LabelSet = frozenset[tuple[str, str]]
"""A series' labels as a hashable set of items."""
Newest = dict[str, dict[int, Sample]]
"""The newest sample of each series: metric name -> series id -> sample."""


def _keep_newest(latest: Newest, ids: Sequence[int], samples: Sequence[Sample]) -> None:
    """Make each sample its series' newest unless a later one is there (``ids[i]`` is the
    series of ``samples[i]``)."""
    for series_id, sample in zip(ids, samples, strict=True):
        group = latest.get(sample.name)
        if group is None:
            group = latest[sample.name] = {}
        newest = group.get(series_id)
        if newest is None or newest.time <= sample.time:
            group[series_id] = sample


def _times_ms(samples: Sequence[Sample]) -> list[int]:
    """Each sample's time in whole milliseconds."""
    return list(map(round, map(mul, map(_TIME, samples), repeat(1000))))


def series_key(name: str, labels: dict[str, str]) -> str:
    """The identity of a series: its metric name plus labels."""
    return fingerprint({**labels, "__name__": name})


TIER_STRETCH = 1.5
"""A rollup tier up to this many times wider than the buckets asked for serves the query, with
buckets as wide as it: a month at 1000 points (43-minute buckets) reads the hour tier and gets
720 buckets, from 60 times fewer entries than the minute tier holds (issue #3: 50 series over
30 days in 200 ms). Spikes still show: every bucket keeps its min and max."""


def bucket_tier(begin: float, finish: float, points: int) -> tuple[int | None, float]:
    """The rollup tier (seconds; None for raw samples) and bucket width that serve ``points``
    buckets over ``[begin, finish]``: raw below a minute, else the coarsest tier at most
    ``TIER_STRETCH`` times the asked width, the buckets then as wide as it."""
    step = bucket_step(begin, finish, points)
    if step < TIERS[0]:
        return None, step
    tier = max(r for r in TIERS if r <= step * TIER_STRETCH)
    return tier, max(step, tier)


class TSDB:
    """Samples in, latest values and ranges out."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._ids: dict[SeriesLabels, int] = {}
        """Id of each series seen, by name and label items: collectors send the same series
        again and again, and hashing every sample's labels was a large part of ingest time."""
        self._latest: Newest | None = None
        """Newest sample per series id, by metric name, so rule evaluation and the dashboard
        need no query; loaded from the store on first use (after a restart), then kept by
        ``write``. By name: an evaluation reads only its rules' metrics (walking all 20,000
        series of 200 agents for the 3,600 the rules watch, at every batch, was most of the
        hub's ingest CPU)."""
        self._unstored_ids: dict[SeriesLabels, int] = {}
        """Stand-in ids (negative) of series whose samples the store could not write yet."""
        self._written_while_loading: list[tuple[list[int], Sequence[Sample]]] | None = None
        """Batches written while ``_newest`` reads the store (its read may predate them),
        applied once the read is in."""
        self._watchers: list[Callable[[Sequence[Sample]], None]] = []
        self._labelsets: dict[int, LabelSet] = {}
        """Label set of each stored series ``latest_series_by_metric`` returned (a series' labels
        never change): built once, not at every evaluation."""

    def watch(self, watcher: Callable[[Sequence[Sample]], None]) -> None:
        """Call ``watcher`` with every batch ``write`` takes in (stored, or kept as newest in
        memory when the store cannot write), as soon as ``latest`` has them."""
        self._watchers.append(watcher)

    async def write(self, samples: Sequence[Sample]) -> None:
        """Store a batch of samples in one transaction."""
        if not samples:
            return
        learned: list[SeriesLabels] = []
        try:
            async with self._store.tx() as tx:
                ids = list(map(self._ids.get, _series_labels(samples)))
                if None in ids:
                    learned = await self._learn(tx, samples)
                    ids = list(map(self._ids.get, _series_labels(samples)))
                known = cast(list[int], ids)
                await tx.samples.insert(known, _times_ms(samples), list(map(_VALUE, samples)))
        except StoreWriteError:
            for key in learned:  # rolled back: those ids may go to other series later
                del self._ids[key]
            await self._keep_latest(samples)
            for watcher in self._watchers:
                watcher(samples)
            raise
        if self._unstored_ids:
            self._forget_unstored(samples)
        if self._latest is not None:
            _keep_newest(self._latest, known, samples)
        elif self._written_while_loading is not None:
            self._written_while_loading.append((known, samples))
        for watcher in self._watchers:
            watcher(samples)

    async def _keep_latest(self, samples: Sequence[Sample]) -> None:
        """Samples the store could not write (a full disk) still count as their series' newest
        (rules and /metrics read ``latest``); a series the store does not know yet gets a
        negative id until it is stored."""
        ids = []
        for key in _series_labels(samples):
            series_id = self._ids.get(key) or self._unstored_ids.get(key)
            if series_id is None:
                series_id = self._unstored_ids[key] = -1 - len(self._unstored_ids)
            ids.append(series_id)
        _keep_newest(await self._newest(), ids, samples)

    def _forget_unstored(self, samples: Sequence[Sample]) -> None:
        """Drop the stand-in ids of series just stored (their real id takes over)."""
        assert self._latest is not None  # noqa: S101 (a stand-in id implies a cache)
        for key in _series_labels(samples):
            series_id = self._unstored_ids.pop(key, None)
            if series_id is not None:
                self._latest.get(key[0], {}).pop(series_id, None)

    async def _learn(self, tx: Tx, samples: Sequence[Sample]) -> list[SeriesLabels]:
        """Find or create the series of ``samples`` not seen yet; returns them."""
        missing = {
            key: (series_key(s.name, s.labels), s)
            for key, s in zip(_series_labels(samples), samples, strict=True)
            if key not in self._ids
        }
        ids = await tx.samples.series_ids({fp: (s.name, s.labels) for fp, s in missing.values()})
        for key, (fp, _) in missing.items():
            self._ids[key] = ids[fp]
        return list(missing)

    async def latest(
        self,
        since: datetime,
        name: str | None = None,
        *,
        ordered: bool = True,
        names: Collection[str] | None = None,
    ) -> list[Sample]:
        """The newest sample of every series (of metric ``name``, or of the metrics ``names``)
        seen since ``since``, by name and labels; ``ordered=False`` skips the sorting (rule
        evaluation needs no order, and sorting thousands of label sets was most of its time).
        Only the series of the metrics asked for are walked."""
        if name is not None:
            names = [name] if names is None or name in names else []
        if names is None:
            names = list((await self._newest()).keys())
        by_metric = await self.latest_by_metric(since, names)
        found = [s for group in by_metric.values() for s in group]
        if ordered:
            found.sort(key=lambda s: (s.name, sorted(s.labels.items())))
        return found

    async def latest_by_metric(
        self, since: datetime, names: Collection[str]
    ) -> dict[str, list[Sample]]:
        """The newest sample of every series of the metrics ``names`` seen since ``since``,
        per metric (those with none left out), in no particular order. Only those metrics'
        series are walked."""
        cutoff = since.timestamp()
        newest = await self._newest()
        out = {}
        for name in set(names):
            group = newest.get(name)
            if group:
                found = [s for s in group.values() if s.time >= cutoff]
                if found:
                    out[name] = found
        return out

    async def latest_series_by_metric(
        self, since: datetime, names: Collection[str]
    ) -> dict[str, list[tuple[Sample, LabelSet]]]:
        """``latest_by_metric`` with each series' label set (its label items as a frozenset),
        kept per series id: rule evaluation looks open alerts up by it, and building them again
        for thousands of series at every evaluation was a tenth of the hub's ingest CPU."""
        cutoff = since.timestamp()
        newest = await self._newest()
        labelsets = self._labelsets
        out = {}
        for name in set(names):
            found = []
            for series_id, sample in newest.get(name, {}).items():
                if sample.time >= cutoff:
                    labelset = labelsets.get(series_id)
                    if labelset is None:
                        labelset = frozenset(sample.labels.items())
                        if series_id > 0:  # not a stand-in id (those are given out again)
                            labelsets[series_id] = labelset
                    found.append((sample, labelset))
            if found:
                out[name] = found
        return out

    async def _newest(self) -> Newest:
        """The newest sample per series id by metric, read from the store the first time."""
        if self._latest is None:
            if self._written_while_loading is None:
                self._written_while_loading = []
            written = self._written_while_loading
            async with self._store.tx() as tx:
                stored = await tx.samples.latest(0)
            if self._latest is None:  # not loaded by another caller meanwhile
                latest: Newest = {}
                _keep_newest(latest, [sid for sid, _ in stored], [s for _, s in stored])
                for ids, batch in written:  # a batch the read may not have seen
                    _keep_newest(latest, ids, batch)
                self._latest, self._written_while_loading = latest, None
        return self._latest

    async def range(self, name: str, start: datetime, end: datetime) -> list[SeriesRange]:
        """All samples of metric ``name`` between ``start`` and ``end``, per series."""
        return await self.select(Selector((Matcher("__name__", MatchOp.EQ, name),)), start, end)

    async def select(self, selector: Selector, start: datetime, end: datetime) -> list[SeriesRange]:
        """All samples of the selected series between ``start`` and ``end`` (inclusive), from
        the compressed chunks and the head together, per series in creation order."""
        async with self._store.tx() as tx:
            chosen = await _selected(tx, selector)
            return await _read(tx, chosen, start, end)

    async def read(
        self, series: Sequence[tuple[int, str, dict[str, str]]], start: datetime, end: datetime
    ) -> list[SeriesRange]:
        """``select`` for series already known by ``(id, name, labels)`` (an export walks every
        series: finding each again by its labels read all series of its metric each time)."""
        async with self._store.tx() as tx:
            return await _read(tx, series, start, end)

    async def buckets(
        self, selector: Selector, start: datetime, end: datetime, points: int
    ) -> list[tuple[str, dict[str, str], Buckets]]:
        """At most ``points`` min/avg/max buckets per selected series. The tier is chosen from
        the bucket width: raw samples below a minute, else the coarsest rollup tier at most
        ``TIER_STRETCH`` times as wide (the buckets then as wide as it), combined with the not
        yet compacted head."""
        begin, finish = start.timestamp(), end.timestamp()
        tier, step = bucket_tier(begin, finish, points)
        if tier is None:
            return [
                (r.name, r.labels, downsample(r.times, r.values, begin, finish, step))
                for r in await self.select(selector, start, end)
            ]
        start_ms, end_ms = int(begin * 1000), int(finish * 1000)
        async with self._store.tx() as tx:
            chosen = await _selected(tx, selector)
            ids = [sid for sid, _, _ in chosen]
            rolled = await tx.rollups.read(ids, tier, start_ms, end_ms)
            head = await tx.samples.range(ids, start_ms, end_ms)
        out = []
        for sid, name, labels in chosen:
            parts = [_unpack_cached(data) for data in rolled.get(sid, ())]
            if sid in head:
                parts.append(samples_as_rollups(*head[sid]))
            entries = concat(parts)
            if entries.times_ms:
                out.append((name, labels, combine_rollups(entries, begin, finish, step)))
        return out

    async def compact(self, now: datetime) -> CompactionReport:
        """Move finished blocks of the head into compressed chunks."""
        return await compact(self._store, int(now.timestamp() * 1000))

    async def prune(self, now: datetime, retention: RetentionConfig) -> PruneReport:
        """Apply the retention of each tier, then the size cap (oldest history first), then
        give freed space back to the file system."""
        report = PruneReport()
        raw_cutoff = _ms(now - timedelta(seconds=retention.raw))
        async with self._store.tx() as tx:
            report.samples = await tx.samples.delete_before(raw_cutoff)
            report.chunks = await tx.chunks.delete_before(raw_cutoff)
            for resolution, keep in zip(TIERS, (retention.minute, retention.hour), strict=True):
                report.rollups += await tx.rollups.delete_before(
                    resolution, _ms(now - timedelta(seconds=keep))
                )
        if retention.max_disk is not None:
            await self._cap(retention.max_disk, report)
        report.reclaimed_bytes = await self._store.reclaim()
        if self._latest is not None:
            cutoff = raw_cutoff / 1000
            self._latest = {
                name: {k: s for k, s in group.items() if s.time >= cutoff}
                for name, group in self._latest.items()
            }
            alive = {k for group in self._latest.values() for k in group}
            self._labelsets = {k: v for k, v in self._labelsets.items() if k in alive}
        return report

    async def _cap(self, max_bytes: int, report: PruneReport) -> None:
        while (used := await self._store.used_bytes()) is not None and used > max_bytes:
            async with self._store.tx() as tx:
                dropped = await tx.chunks.drop_oldest_block()
                report.chunks += dropped
                if not dropped:
                    dropped = await tx.rollups.drop_oldest_block(TIERS[0])
                    if not dropped:
                        dropped = await tx.rollups.drop_oldest_block(TIERS[1])
                    report.rollups += dropped
            if not dropped:
                return  # only the head and metadata are left: nothing old to give up
            report.capped = True


async def _selected(tx: Tx, selector: Selector) -> list[tuple[int, str, dict[str, str]]]:
    """``(id, name, labels)`` of the series the selector picks."""
    return [
        (sid, name, labels)
        for sid, name, labels in await tx.samples.series(selector.metric)
        if selector.matches(name, labels)
    ]


async def _read(
    tx: Tx, chosen: Sequence[tuple[int, str, dict[str, str]]], start: datetime, end: datetime
) -> list[SeriesRange]:
    """Samples of ``chosen`` series in ``[start, end]`` from the chunks and the head together,
    per series in the given order."""
    start_ms, end_ms = int(start.timestamp() * 1000), int(end.timestamp() * 1000)
    ids = [sid for sid, _, _ in chosen]
    head = await tx.samples.range(ids, start_ms, end_ms)
    chunks = await tx.chunks.overlapping(ids, start_ms, end_ms)
    stored: dict[int, list[tuple[Sequence[int], Sequence[float]]]] = {}
    for sid, data in chunks:
        stored.setdefault(sid, []).append(_decode_cached(data))
    out = []
    for sid, name, labels in chosen:
        parts = stored.get(sid, [])
        if sid in head:
            parts.append(head[sid])
        times, values = between(join(parts), start_ms, end_ms)
        if times:
            out.append(SeriesRange(name, labels, [ms / 1000 for ms in times], values))
    return out


@functools.lru_cache(maxsize=64)
def _decode_cached(data: bytes) -> tuple[array[int], array[float]]:
    """Decoded chunks, by their bytes (so a rewritten chunk is a new entry): charts ask for the
    same day again and again. As arrays, 64 two-hour chunks take under 4 MB even at a 2 s
    interval (0.7 MB at 10 s)."""
    times, values = decode(data)
    return array("q", times), array("d", values)


@functools.lru_cache(maxsize=1024)
def _unpack_cached(data: bytes) -> Rollups:
    """Decoded rollup blobs, by their bytes (so a rewritten blob is a new entry): a dashboard
    redraws the same 30-day chart, 360 minute blobs, again and again. As arrays, 1024 blobs of
    120 minutes take about 5 MB."""
    return unpack(data).compact()


def join(parts: Sequence[tuple[Sequence[int], Sequence[float]]]) -> Columns:
    """Samples of chunks (in block order) and of the head, as one time-ordered series; when
    they overlap (a late sample not compacted yet) a chunk's sample wins over a repeat."""
    times = list(chain.from_iterable(part_times for part_times, _ in parts))
    if all(map(lt, times[:-1], times[1:])):
        return times, list(chain.from_iterable(part_values for _, part_values in parts))
    merged: dict[int, float] = {}
    for part_times, part_values in parts:
        for ms, value in zip(part_times, part_values, strict=True):
            merged.setdefault(ms, value)
    ordered = sorted(merged)
    return ordered, [merged[ms] for ms in ordered]


def between(columns: Columns, start_ms: int, end_ms: int) -> Columns:
    """The samples of time-ordered columns in ``[start_ms, end_ms]``."""
    times, values = columns
    first, stop = bisect_left(times, start_ms), bisect_right(times, end_ms)
    if (first, stop) == (0, len(times)):
        return times, values
    return times[first:stop], values[first:stop]


def _ms(when: datetime) -> int:
    return int(when.timestamp() * 1000)


class PruneReport(msgspec.Struct):
    """What one prune removed."""

    samples: int = 0
    chunks: int = 0
    rollups: int = 0
    capped: bool = False
    reclaimed_bytes: int = 0
