"""Job wrappers: a failing job is logged and simply runs again next time."""

import asyncio
import logging
from types import SimpleNamespace

from hub.jobs.scheduler import _logged, drain
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
