"""The hub watching itself: each job's lag, runs and last success, and collectors' failures.

The scheduler and the jobs report here (plain method calls with the time given, so it is pure
and tested without a scheduler); the ``selfmon`` collector turns it into ``hub_*`` samples and
``/readyz`` asks it which jobs are overdue.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

OVERDUE_GRACE = 30.0
"""Seconds a job may be late beyond two of its intervals before the hub counts it as overdue
(one missed run is normal under load; two in a row plus this grace is not)."""


@dataclass
class JobRecord:
    """What the hub knows about one scheduled job."""

    interval: float
    """Seconds between its timed runs."""
    watched_since: datetime
    lag: float = 0.0
    """Seconds between when its last run was due and when it started."""
    running_since: datetime | None = None
    last_finish: datetime | None = None
    last_success: datetime | None = None
    runs: int = 0
    failures: int = 0
    skipped: int = 0
    """Runs dropped because the previous one was still running (or missed their grace time)."""

    def overdue(self, now: datetime) -> str | None:
        """Why the job is overdue at ``now``, or None when it is on time."""
        limit = 2 * self.interval + OVERDUE_GRACE
        if self.running_since is not None:
            running = (now - self.running_since).total_seconds()
            if running > limit:
                return f"running for {running:.0f} s (limit {limit:.0f} s)"
        since = self.last_finish or self.watched_since
        quiet = (now - since).total_seconds()
        if quiet > limit:
            last = "never finished" if self.last_finish is None else "last finished"
            return f"{last} {quiet:.0f} s ago (limit {limit:.0f} s)"
        return None


class SelfMonitor:
    """Counters and timings of the running hub, filled in by the scheduler and the jobs."""

    def __init__(self) -> None:
        self.jobs: dict[str, JobRecord] = {}
        self.collector_errors: Counter[str] = Counter()

    def expect(self, job: str, interval: float, now: datetime) -> None:
        """Watch ``job``, which should run every ``interval`` seconds from ``now`` on."""
        self.jobs[job] = JobRecord(interval, now)

    def submitted(self, job: str, due: datetime, now: datetime) -> None:
        """The scheduler handed a run of ``job`` that was due at ``due`` to its executor."""
        record = self.jobs.get(job)
        if record is not None:
            record.lag = max(0.0, (now - due).total_seconds())

    def skipped(self, job: str) -> None:
        """A run of ``job`` was dropped (still running, or its grace time passed)."""
        record = self.jobs.get(job)
        if record is not None:
            record.skipped += 1

    def started(self, job: str, now: datetime) -> None:
        """A run of ``job`` began."""
        record = self.jobs.get(job)
        if record is not None and record.running_since is None:
            record.running_since = now

    def finished(self, job: str, now: datetime, *, ok: bool) -> None:
        """A run of ``job`` ended, successfully or by raising."""
        record = self.jobs.get(job)
        if record is None:
            return
        record.running_since = None
        record.last_finish = now
        record.runs += 1
        if ok:
            record.last_success = now
        else:
            record.failures += 1

    def collector_failed(self, collector: str) -> None:
        """A collection by ``collector`` raised."""
        self.collector_errors[collector] += 1

    def overdue(self, now: datetime) -> dict[str, str]:
        """Each overdue job with the reason."""
        found = {}
        for job, record in sorted(self.jobs.items()):
            reason = record.overdue(now)
            if reason is not None:
                found[job] = reason
        return found
