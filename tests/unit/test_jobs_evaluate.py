"""Rule evaluation from many writers: one at a time, and callers that wait share a run."""

import asyncio
from types import SimpleNamespace

from hub.domain.config import RetentionConfig
from hub.jobs.scheduler import HubJobs

QUIET = SimpleNamespace(has_news=False)
"""A dispatcher with no flapping notices queued."""


class SlowEngine:
    def __init__(self):
        self.runs = 0
        self.active = 0
        self.overlapped = False
        self.release = asyncio.Event()
        self.asked = []

    async def evaluate(self, metrics=None):
        self.asked.append(metrics)
        self.active += 1
        self.overlapped |= self.active > 1
        self.runs += 1
        await self.release.wait()
        self.active -= 1
        return []


async def test_a_burst_of_evaluation_requests_costs_two_runs_and_none_overlap(clock):
    engine = SlowEngine()
    jobs = HubJobs(None, engine, QUIET, None, None, clock, RetentionConfig())  # type: ignore[arg-type]
    first = asyncio.create_task(jobs.evaluate())
    await asyncio.sleep(0)  # the first run is in progress …
    burst = [asyncio.create_task(jobs.evaluate()) for _ in range(5)]  # … when five more ask
    await asyncio.sleep(0)
    engine.release.set()
    await asyncio.gather(first, *burst)
    assert engine.runs == 2
    assert not engine.overlapped
    await jobs.evaluate()  # a later request gets a run of its own
    assert engine.runs == 3


async def test_waiting_callers_share_a_run_covering_the_union_of_their_metrics(clock):
    engine = SlowEngine()
    jobs = HubJobs(None, engine, QUIET, None, None, clock, RetentionConfig())  # type: ignore[arg-type]
    first = asyncio.create_task(jobs.evaluate({"cpu_usage"}))
    await asyncio.sleep(0)
    waiting = [
        asyncio.create_task(jobs.evaluate({"memory_usage"})),
        asyncio.create_task(jobs.evaluate({"service_health", "response_time"})),
    ]
    await asyncio.sleep(0)
    engine.release.set()
    await asyncio.gather(first, *waiting)
    assert engine.asked == [{"cpu_usage"}, {"memory_usage", "service_health", "response_time"}]
    await jobs.evaluate({"a"})
    await jobs.evaluate()  # None: every rule
    assert engine.asked[2:] == [{"a"}, None]
