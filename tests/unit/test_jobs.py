"""Job wrappers: a failing job is logged and simply runs again next time."""

import asyncio
import logging
from types import SimpleNamespace

from hub.jobs.scheduler import _logged, drain


async def test_a_failing_job_is_logged_and_does_not_raise(caplog):
    running: set = set()

    async def broken() -> None:
        raise RuntimeError("disk on fire")

    with caplog.at_level(logging.ERROR, logger="hub.jobs.scheduler"):
        await _logged("collect:system", broken, running)()
    assert "job collect:system failed; it runs again at its next interval" in caplog.text
    assert "disk on fire" in caplog.text
    assert running == set()


async def test_drain_waits_for_running_jobs_before_shutdown():
    finished = []

    async def slow() -> None:
        await asyncio.sleep(0.05)
        finished.append(True)

    jobs = SimpleNamespace(running=set())

    task = asyncio.create_task(_logged("deliver", slow, jobs.running)())
    await asyncio.sleep(0)  # let it start and register itself
    assert len(jobs.running) == 1
    await drain(jobs)  # type: ignore[arg-type]
    assert finished == [True]
    assert task.done()
    await drain(jobs)  # type: ignore[arg-type]  (nothing running: returns at once)
