"""Self-monitoring: the hub's own health as ``hub_*`` samples, stored like any other."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from hub.domain.samples import Sample
from hub.lib.clock import Clock
from hub.lib.gctune import release_free_memory
from hub.lib.selfmon import SelfMonitor
from hub.store import Store

EVERY = 6
"""Self-monitoring reads once every this many collection intervals (a minute at the default
10 s). Each reading is a store query, a write and an evaluation: every 10 s that was half of
what an idle hub spent (bare hubs side by side: 0.18-0.20 % of a core with it, 0.08-0.12 %
without), and job lag and overdue flags need no finer grain (``hub_job_overdue`` fires after
1 minute)."""


class SelfMonCollector:
    """Job lag, last success and overdue flag per job; collector errors per collector;
    delivery failures per channel; the outbox queue length and the store's size.

    Each reading also calls ``release`` (default: give free malloc pages back to the system),
    so what a burst of work freed does not stay resident."""

    name = "selfmon"

    def __init__(
        self,
        monitor: SelfMonitor,
        store: Store,
        delivery_failures: Mapping[str, int],
        clock: Clock,
        interval: float,
        release: Callable[[], object] = release_free_memory,
    ) -> None:
        self._monitor = monitor
        self._release = release
        self._store = store
        self._delivery_failures = delivery_failures
        self._clock = clock
        self.interval = interval * EVERY

    async def collect(self) -> list[Sample]:
        """One reading of the hub's health."""
        now = self._clock.now()
        t = now.timestamp()
        samples: list[Sample] = []
        overdue = self._monitor.overdue(now)
        for job, record in sorted(self._monitor.jobs.items()):
            labels = {"job": job}
            samples.append(Sample("hub_job_lag_seconds", labels, record.lag, t))
            samples.append(Sample("hub_job_overdue", labels, float(job in overdue), t))
            # Counters still at 0 are left out (no series means none so far): on an idle hub
            # they would be most of what self-monitoring writes.
            if record.failures:
                samples.append(Sample("hub_job_failures_total", labels, float(record.failures), t))
            if record.skipped:
                samples.append(Sample("hub_job_skipped_total", labels, float(record.skipped), t))
            if record.last_success is not None:
                success = record.last_success.timestamp()
                samples.append(Sample("hub_job_last_success_timestamp", labels, success, t))
        for collector, count in sorted(self._monitor.collector_errors.items()):
            labels = {"collector": collector}
            samples.append(Sample("hub_collector_errors_total", labels, float(count), t))
        for channel, count in sorted(self._delivery_failures.items()):
            labels = {"channel": channel}
            samples.append(Sample("hub_delivery_failures_total", labels, float(count), t))
        async with self._store.tx() as tx:
            pending = await tx.outbox.count("pending")
        samples.append(Sample("hub_outbox_queue_length", {}, float(pending), t))
        size = await self._store.size_bytes()
        if size is not None:
            samples.append(Sample("hub_store_size_bytes", {}, float(size), t))
        self._release()
        return samples
