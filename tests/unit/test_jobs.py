"""Job wrappers: a failing job is logged and simply runs again next time."""

import asyncio
import logging
from types import SimpleNamespace

import pytest

from hub.domain.samples import Sample
from hub.jobs.scheduler import HubJobs, _logged, build_scheduler, collection_jobs, drain
from hub.lib.clock import ManualClock
from hub.lib.selfmon import SelfMonitor


def _jobs() -> SimpleNamespace:
    monitor = SelfMonitor()
    clock = ManualClock()
    for name in ("collect:system", "deliver"):
        monitor.expect(name, 10.0, clock.now())
    return SimpleNamespace(running=set(), monitor=monitor, clock=clock)


async def test_a_failing_job_is_logged_and_does_not_raise(caplog):
    jobs = _jobs()

    async def broken() -> None:
        raise RuntimeError("disk on fire")

    with caplog.at_level(logging.ERROR, logger="hub.jobs.scheduler"):
        await _logged("collect:system", broken, jobs)()  # type: ignore[arg-type]
    assert "job collect:system failed; it runs again at its next interval" in caplog.text
    assert "disk on fire" in caplog.text
    assert jobs.running == set()
    record = jobs.monitor.jobs["collect:system"]
    assert (record.runs, record.failures, record.last_success) == (1, 1, None)
    assert record.running_since is None


async def test_drain_waits_for_running_jobs_before_shutdown():
    finished = []

    async def slow() -> None:
        await asyncio.sleep(0.05)
        finished.append(True)

    jobs = _jobs()

    task = asyncio.create_task(_logged("deliver", slow, jobs)())  # type: ignore[arg-type]
    await asyncio.sleep(0)  # let it start and register itself
    assert len(jobs.running) == 1
    await drain(jobs)  # type: ignore[arg-type]
    assert finished == [True]
    assert task.done()
    assert jobs.monitor.jobs["deliver"].last_success == jobs.clock.now()
    await drain(jobs)  # type: ignore[arg-type]  (nothing running: returns at once)


class Probe:
    def __init__(self, name, interval=30.0, fail=None):
        self.name = name
        self.interval = interval
        self.fail = fail

    async def collect(self):
        if self.fail:
            raise self.fail
        return [Sample("service_health", {"service": self.name}, 1.0, 0.0)]


class TriggeredProbe(Probe):
    async def triggers(self):
        yield "now"


def test_probes_of_one_kind_and_interval_share_a_job_and_the_others_keep_their_own():
    system, docker = Probe("system", 10.0), TriggeredProbe("docker:local", 10.0)
    a, b, slow = Probe("http:a"), Probe("http:b"), Probe("http:slow", 60.0)
    scrape, odd = Probe("scrape:a"), Probe("custom:x")
    groups = collection_jobs([system, docker, a, b, slow, scrape, odd])
    assert groups == {
        "collect:system": [system],
        "collect:docker:local": [docker],
        "collect:http@30s": [a, b],
        "collect:http@60s": [slow],
        "collect:scrape@30s": [scrape],
        "collect:custom:x": [odd],
    }


async def test_a_shared_job_stores_its_probes_samples_as_one_batch_despite_a_failure(caplog):
    ingested = []

    async def ingest(samples):
        ingested.append([s.labels["service"] for s in samples])
        return len(samples)

    jobs = HubJobs(None, None, None, None, None, ManualClock(), None)  # type: ignore[arg-type]
    jobs.ingest = ingest  # type: ignore[method-assign]
    probes = [Probe("http:a"), Probe("http:down", fail=RuntimeError("refused")), Probe("http:b")]
    with caplog.at_level(logging.ERROR, logger="hub.jobs.scheduler"):
        assert await jobs.collect_many(probes) == 2
    assert ingested == [["http:a", "http:b"]]
    assert "job collect:http:down failed; it runs again at its next interval" in caplog.text
    assert "refused" in caplog.text


async def test_a_cancelled_probe_cancels_its_shared_job():
    jobs = HubJobs(None, None, None, None, None, ManualClock(), None)  # type: ignore[arg-type]
    with pytest.raises(asyncio.CancelledError):
        await jobs.collect_many([Probe("http:a", fail=asyncio.CancelledError())])


def test_the_scheduler_runs_one_job_per_group_of_probes():
    jobs = HubJobs(None, None, None, None, None, ManualClock(), None)  # type: ignore[arg-type]
    probes = [Probe("system", 10.0), Probe("http:a"), Probe("http:b"), Probe("http:c", 60.0)]
    scheduler = build_scheduler(jobs, probes)
    collect = {j.id: j for j in scheduler.get_jobs() if j.id.startswith("collect:")}
    assert sorted(collect) == ["collect:http@30s", "collect:http@60s", "collect:system"]
    assert collect["collect:http@30s"].args == ([probes[1], probes[2]],)
    assert collect["collect:http@60s"].args == (probes[3],)
    assert collect["collect:http@30s"].trigger.interval.total_seconds() == 30


def test_the_file_watch_runs_in_the_collections_wake_ups():
    """Jobs due together run in one wake-up: the 5 s watch of alerts.yml falls on every other
    10 s collection instead of waking the process twice more every 10 s."""
    jobs = HubJobs(None, None, None, None, None, ManualClock(), None)  # type: ignore[arg-type]

    async def check():
        return False

    scheduler = build_scheduler(jobs, [Probe("system", 10.0)], watch=(check, 5.0))
    system, watch = scheduler.get_job("collect:system"), scheduler.get_job("watch-rules")
    assert watch.trigger.interval.total_seconds() == 5
    ahead = (watch.next_run_time - system.next_run_time).total_seconds()
    assert ahead == 5.0  # on the collections' grid: every other run shares their wake-up
    assert "watch-rules" not in jobs.monitor.jobs  # not self-monitored, as before
