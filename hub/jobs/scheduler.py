"""The jobs and the scheduler that runs them."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.events import (
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_MISSED,
    EVENT_JOB_SUBMITTED,
    JobEvent,
    JobSubmissionEvent,
)
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from hub.alerts import AlertEngine
from hub.collectors import Collector, Triggered
from hub.domain.config import RetentionConfig
from hub.domain.samples import Sample
from hub.lib.bus import Bus
from hub.lib.clock import Clock
from hub.lib.selfmon import SelfMonitor
from hub.notify.dispatch import Dispatcher
from hub.notify.outbox import Deliverer
from hub.store import StoreWriteError
from hub.tsdb import TSDB

log = logging.getLogger(__name__)

DELIVER_EVERY = 300.0
"""Seconds between safety sweeps of the outbox. Delivery is event-driven: new notifications wake
the deliver job at once and a pending retry wakes it when due, so an idle hub rarely queries."""
EVALUATE_EVERY = 30.0
"""Seconds between evaluations of every rule: new samples evaluate their own metrics' rules at
once; this catches what no sample announces (absence, series that stopped reporting)."""
NOTIFY_EVERY = 60.0
"""Seconds between safety sweeps of the aggregation groups; alert changes and group ticks wake
the notify job on time."""
PRUNE_EVERY = 3600.0
COMPACT_EVERY = 600.0
"""Blocks are 2 h long; checking every 10 minutes keeps the head small at negligible cost."""
WAKE_UP = 0.2e-3
"""Seconds of CPU an idle hub spends to wake for a timer and go back to sleep, whatever the
job (asyncio.sleep of 0.1 - 1 s in a loop: 0.19 - 0.25 ms of CPU per wake-up on the 2-core
development VM, 2026-12-07): what aligning the jobs saves per wake-up shared."""


class HubJobs:
    """What each job does; plain coroutines, so tests can run them without a scheduler."""

    def __init__(
        self,
        tsdb: TSDB,
        engine: AlertEngine,
        dispatcher: Dispatcher,
        deliverer: Deliverer,
        bus: Bus,
        clock: Clock,
        retention: RetentionConfig,
        monitor: SelfMonitor | None = None,
    ) -> None:
        self.tsdb = tsdb
        self.monitor = monitor or SelfMonitor()
        """Job timings and collector failures (self-monitoring, /readyz)."""
        self.engine = engine
        self.dispatcher = dispatcher
        self.deliverer = deliverer
        self.bus = bus
        self.clock = clock
        self.retention = retention
        self.schedule_delivery: Callable[[float], None] = lambda delay: None
        """Asks for the deliver job to run within ``delay`` seconds (set by the scheduler)."""
        self.schedule_notify: Callable[[float], None] = lambda delay: None
        """Asks for the notify job to run within ``delay`` seconds (set by the scheduler)."""
        self.running: set[asyncio.Task[Any]] = set()
        """Job runs in progress, so shutdown can let them finish."""
        self._collecting: dict[str, asyncio.Lock] = {}
        self._evaluating = asyncio.Lock()
        self._wanted: set[str] | None = set()
        """Metrics whose rules the next evaluation covers (None: every rule)."""
        self._requested = 0
        self._covered = 0
        """Evaluation requests so far, and how many of them a finished evaluation covered."""
        self._queued: list[tuple[Sequence[Sample], asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None
        self._soon: set[str] = set()
        self._evaluator: asyncio.Task[None] | None = None

    async def collect(self, collector: Collector) -> int:
        """Collect, store, publish to the live bus, then evaluate rules; returns samples.

        Runs of one collector never overlap (a timed run and a triggered one wait in turn)."""
        return await self.ingest(await self._collected(collector))

    async def collect_many(self, collectors: Sequence[Collector]) -> int:
        """Collect from several collectors at once and store, publish and evaluate their
        samples as one batch (probes due in the same tick); returns samples.

        A failing collector is logged and the others' samples are kept."""
        results = await asyncio.gather(*map(self._collected, collectors), return_exceptions=True)
        samples: list[Sample] = []
        for collector, result in zip(collectors, results, strict=True):
            if isinstance(result, BaseException):
                if not isinstance(result, Exception):
                    raise result
                log.error(
                    "job collect:%s failed; it runs again at its next interval",
                    collector.name,
                    exc_info=result,
                )
            else:
                samples += result
        return await self.ingest(samples)

    async def _collected(self, collector: Collector) -> list[Sample]:
        lock = self._collecting.setdefault(collector.name, asyncio.Lock())
        async with lock:
            try:
                return await collector.collect()
            except Exception:
                self.monitor.collector_failed(collector.name)
                raise

    async def ingest(self, samples: Sequence[Sample], *, wait: bool = True) -> int:
        """Store samples, publish them to the live bus, then evaluate rules; returns how many.

        Local collections, agents' batches and heartbeat pings all come in this way. Writers
        that arrive while a write is in progress share the next one (one transaction for a
        burst of agents' batches). ``wait=False`` returns once the samples are stored and
        evaluates them in the background, coalesced with other such requests."""
        if not samples:
            return 0
        unstored: StoreWriteError | None = None
        try:
            await self._write(samples)
        except StoreWriteError as error:
            unstored = error  # a full disk: rules still see them (the TSDB's newest in memory)
        self.bus.publish("samples", list(samples))
        if wait:
            await self.evaluate({s.name for s in samples})
        else:
            self.evaluate_soon({s.name for s in samples})
        if unstored is not None:
            raise unstored
        return len(samples)

    async def _write(self, samples: Sequence[Sample]) -> None:
        """Write ``samples`` in the next group transaction; raises what that write raised."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queued.append((samples, done))
        if self._writer is None:
            self._writer = self._spawn(self._write_queued())
        await done

    async def _write_queued(self) -> None:
        try:
            while self._queued:
                group, self._queued = self._queued, []
                try:
                    await self.tsdb.write([s for samples, _ in group for s in samples])
                except Exception as error:
                    for _, done in group:
                        if not done.done():
                            done.set_exception(error)
                else:
                    for _, done in group:
                        if not done.done():
                            done.set_result(None)
        finally:
            self._writer = None

    def evaluate_soon(self, metrics: Collection[str]) -> None:
        """Evaluate the rules of ``metrics`` in the background; requests made while one such
        evaluation runs share the next one. ``settled`` waits for them."""
        self._soon |= set(metrics)
        if self._evaluator is None:
            self._evaluator = self._spawn(self._evaluate_soon())

    async def _evaluate_soon(self) -> None:
        try:
            while self._soon:
                metrics, self._soon = self._soon, set()
                try:
                    await self.evaluate(metrics)
                except Exception:
                    log.exception("evaluating new samples failed; the next evaluation covers them")
        finally:
            self._evaluator = None

    async def settled(self) -> None:
        """Wait until background evaluations (``evaluate_soon``) are done."""
        while self._evaluator is not None:
            await asyncio.shield(self._evaluator)

    def _spawn(self, work: Awaitable[None]) -> asyncio.Task[None]:
        """Run ``work`` as a task that ``drain`` lets finish at shutdown."""
        task = asyncio.ensure_future(work)
        self.running.add(task)
        task.add_done_callback(self.running.discard)
        return task

    async def evaluate(self, metrics: Collection[str] | None = None) -> None:
        """Evaluate the rules of ``metrics`` (all rules when None); wake the notify job when an
        alert changed (its group may be due).

        One evaluation at a time: agents' batches arrive concurrently with local collections,
        and two overlapping evaluations could both open the same alert. Callers that wait
        meanwhile share the next run: it starts after all their samples were written and
        covers the union of their metrics, so a burst of batches costs two evaluations."""
        self._requested += 1
        ticket = self._requested
        if metrics is None or self._wanted is None:
            self._wanted = None
        else:
            self._wanted |= set(metrics)
        async with self._evaluating:
            if self._covered >= ticket:
                return
            covering, wanted = self._requested, self._wanted
            self._wanted = set()
            changed = await self.engine.evaluate(wanted)
            self._covered = covering
        if changed or self.dispatcher.has_news:
            self.schedule_notify(0.0)

    async def notify(self) -> int:
        """Flush the aggregation groups whose tick has come into the outbox, wake delivery when
        that queued something, and ask to run again at the next group tick."""
        now = self.clock.now()
        queued, wake = await self.dispatcher.flush(now)
        if queued:
            self.schedule_delivery(0.0)
        if wake is not None:
            self.schedule_notify(max(0.0, (wake - now).total_seconds()))
        return queued

    async def deliver(self) -> int:
        """Send due notifications, then ask to run again when the next retry is due."""
        delivered = await self.deliverer.deliver_due()
        due = await self.deliverer.next_due()
        if due is not None:
            self.schedule_delivery(max(0.0, (due - self.clock.now()).total_seconds()))
        return delivered

    async def compact(self) -> int:
        """Move finished blocks of raw samples into compressed chunks; returns samples moved."""
        report = await self.tsdb.compact(self.clock.now())
        if report.chunks:
            log.info(
                "compacted %d samples into %d chunks (%.2f bytes/sample)",
                report.samples,
                report.chunks,
                report.bytes / report.samples,
            )
        return report.samples

    async def prune(self) -> None:
        """Apply retention per tier and the size cap, and reclaim the space."""
        report = await self.tsdb.prune(self.clock.now(), self.retention)
        if report.capped:
            log.warning("the store reached retention.max_disk: the oldest history was dropped")
        if report.reclaimed_bytes:
            log.info("pruning gave %.1f MB back to the disk", report.reclaimed_bytes / 1e6)


def build_scheduler(
    jobs: HubJobs,
    collectors: Sequence[Collector],
    watch: tuple[Callable[[], Awaitable[object]], float] | None = None,
) -> AsyncIOScheduler:
    """A scheduler with every job; start it inside the running event loop.

    Every job's runs fall on the same grid (first run now, or a whole number of seconds
    later), so jobs due together run in one wake-up of the process: waking an idle process
    costs more CPU than the little most jobs do (about 0.2 ms here, see ``WAKE_UP``).

    Args:
        watch: a cheap check and its period in seconds (alerts.yml's modification time), run
            as the ``watch-rules`` job on the same grid.
    """
    scheduler = AsyncIOScheduler(
        timezone=UTC,
        job_defaults={"max_instances": 1, "coalesce": True, "misfire_grace_time": 30},
    )
    # The scheduler's own timing uses the wall clock; the jobs use the injected Clock.
    first = datetime.now(UTC)
    for job_id, group in collection_jobs(collectors).items():
        collect = jobs.collect if len(group) == 1 else jobs.collect_many
        scheduler.add_job(
            _logged(job_id, collect, jobs),
            "interval",
            args=[group[0] if len(group) == 1 else group],
            seconds=group[0].interval,
            id=job_id,
            name=job_id,
            next_run_time=first,
        )
    scheduler.add_job(
        _logged("deliver", jobs.deliver, jobs),
        "interval",
        seconds=DELIVER_EVERY,
        id="deliver",
        name="deliver",
        next_run_time=first,
    )
    scheduler.add_job(
        _logged("evaluate", jobs.evaluate, jobs),
        "interval",
        seconds=EVALUATE_EVERY,
        id="evaluate",
        name="evaluate",
        next_run_time=first + timedelta(seconds=EVALUATE_EVERY),
    )
    scheduler.add_job(
        _logged("notify", jobs.notify, jobs),
        "interval",
        seconds=NOTIFY_EVERY,
        id="notify",
        name="notify",
        next_run_time=first,
    )
    scheduler.add_job(
        _logged("compact", jobs.compact, jobs),
        "interval",
        seconds=COMPACT_EVERY,
        id="compact",
        name="compact",
        next_run_time=first + timedelta(seconds=30),
    )
    scheduler.add_job(
        _logged("prune", jobs.prune, jobs),
        "interval",
        seconds=PRUNE_EVERY,
        id="prune",
        name="prune",
        next_run_time=first + timedelta(seconds=60),
    )

    def waker(job_id: str) -> Callable[[float], None]:
        """Bring job ``job_id`` forward to run within ``delay`` seconds."""

        def wake(delay: float) -> None:
            when = datetime.now(UTC) + timedelta(seconds=delay)
            job = scheduler.get_job(job_id)
            if job is not None and (job.next_run_time is None or when < job.next_run_time):
                scheduler.modify_job(job_id, next_run_time=when)

        return wake

    _watch(scheduler, jobs)
    if watch is not None:  # after _watch: not a job self-monitoring reports on (as before)
        check, every = watch
        scheduler.add_job(
            check,
            "interval",
            seconds=every,
            id="watch-rules",
            name="watch-rules",
            next_run_time=first + timedelta(seconds=every),
        )
    jobs.schedule_delivery = waker("deliver")
    jobs.schedule_notify = waker("notify")
    return scheduler


def _watch(scheduler: AsyncIOScheduler, jobs: HubJobs) -> None:
    """Report every job's interval, lag and dropped runs to ``jobs.monitor``."""
    monitor, clock = jobs.monitor, jobs.clock
    now = clock.now()
    for job in scheduler.get_jobs():
        monitor.expect(job.id, job.trigger.interval.total_seconds(), now)

    def listen(event: JobEvent) -> None:
        if isinstance(event, JobSubmissionEvent):
            monitor.submitted(event.job_id, max(event.scheduled_run_times), clock.now())
        else:
            monitor.skipped(event.job_id)

    scheduler.add_listener(listen, EVENT_JOB_SUBMITTED | EVENT_JOB_MAX_INSTANCES | EVENT_JOB_MISSED)


def collection_jobs(collectors: Sequence[Collector]) -> dict[str, list[Collector]]:
    """Collectors by the job that runs them: probes of one kind (``http:…``, ``scrape:…``)
    with the same interval share a job, which stores and evaluates their samples as one batch
    (a job, a write and an evaluation per probe cost more than the probe); the others
    (``system``, ``docker`` …) keep a job of their own, so a slow one stalls no other.

    A shared job waits for its slowest probe (at most that probe's timeout) before storing."""
    groups: dict[str, list[Collector]] = {}
    for collector in collectors:
        kind, _, rest = collector.name.partition(":")
        if rest and kind in SHARED_KINDS and not isinstance(collector, Triggered):
            groups.setdefault(f"collect:{kind}@{collector.interval:g}s", []).append(collector)
        else:
            groups[f"collect:{collector.name}"] = [collector]
    return groups


SHARED_KINDS = frozenset({"http", "scrape"})
"""Collector kinds whose collectors with one interval share a job."""


def _logged(
    name: str, job: Callable[..., Awaitable[object]], jobs: HubJobs
) -> Callable[..., Awaitable[None]]:
    """Run ``job``; a failure is logged and the job simply runs again next time. Each run's
    start and end are reported to ``jobs.monitor``."""

    async def run(*args: object) -> None:
        task = asyncio.current_task()
        if task is not None:
            jobs.running.add(task)
        jobs.monitor.started(name, jobs.clock.now())
        ok = False
        try:
            await job(*args)
            ok = True
        except Exception:
            log.exception("job %s failed; it runs again at its next interval", name)
        finally:
            jobs.monitor.finished(name, jobs.clock.now(), ok=ok)
            if task is not None:
                jobs.running.discard(task)

    return run


TRIGGER_RETRY = 5.0
"""Seconds before subscribing again to a collector's triggers after they failed or ended."""


async def follow_triggers(
    jobs: HubJobs, collector: Collector, retry: float = TRIGGER_RETRY
) -> None:
    """Collect at once whenever a ``Triggered`` collector asks to; runs until cancelled.

    A failing subscription (dockerd restarting) is logged and retried; the timed job keeps
    collecting meanwhile."""
    if not isinstance(collector, Triggered):
        return
    collect = _logged(f"collect:{collector.name}", jobs.collect, jobs)
    while True:
        try:
            async for reason in collector.triggers():
                log.debug("collect:%s triggered by %s", collector.name, reason)
                await collect(collector)
        except Exception as error:
            log.warning("collect:%s: event stream failed (%s); retrying", collector.name, error)
        await asyncio.sleep(retry)


async def drain(jobs: HubJobs, seconds: float = 5.0) -> None:
    """Let jobs that are running finish (up to ``seconds``) before the store closes."""
    if jobs.running:
        await asyncio.wait(set(jobs.running), timeout=seconds)
