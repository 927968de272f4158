"""Rule evaluation from many writers: one at a time, and callers that wait share a run."""

import asyncio
from types import SimpleNamespace

from hub.domain.config import RetentionConfig
from hub.domain.samples import Sample
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


class Recorder:
    def __init__(self):
        self.writes = []
        self.published = []
        self.release = asyncio.Event()
        self.fail = None

    async def write(self, samples):
        self.writes.append([s.name for s in samples])
        await self.release.wait()
        if self.fail:
            raise self.fail

    def publish(self, topic, samples):
        self.published.append(len(samples))


def recorded_jobs(clock, engine):
    rec = Recorder()
    return rec, HubJobs(rec, engine, QUIET, None, rec, clock, RetentionConfig())  # type: ignore[arg-type]


def sample(name, clock):
    return Sample(name, {}, 1.0, clock.now().timestamp())


async def test_writers_arriving_during_a_write_share_the_next_transaction(clock):
    engine = SlowEngine()
    engine.release.set()
    rec, jobs = recorded_jobs(clock, engine)
    first = asyncio.create_task(jobs.ingest([sample("a", clock)]))
    await asyncio.sleep(0)
    await asyncio.sleep(0)  # the first write is in progress …
    burst = [asyncio.create_task(jobs.ingest([sample(n, clock)])) for n in ("b", "c", "d")]
    await asyncio.sleep(0)
    rec.release.set()
    assert await asyncio.gather(first, *burst) == [1, 1, 1, 1]
    assert rec.writes == [["a"], ["b", "c", "d"]]
    assert rec.published == [1, 1, 1, 1]


async def test_a_failed_group_write_raises_in_every_writer_of_the_group(clock):
    engine = SlowEngine()
    rec, jobs = recorded_jobs(clock, engine)
    rec.fail = RuntimeError("database is locked")
    rec.release.set()
    results = await asyncio.gather(
        jobs.ingest([sample("a", clock)]), jobs.ingest([sample("b", clock)]), return_exceptions=True
    )
    assert [str(r) for r in results] == ["database is locked"] * 2
    assert rec.writes == [["a", "b"]]
    assert engine.runs == 0  # nothing stored, nothing evaluated
    rec.fail = None
    engine.release.set()
    assert await jobs.ingest([sample("c", clock)]) == 1  # the writer starts again


async def test_ingest_without_waiting_answers_before_evaluating_and_coalesces(clock):
    engine = SlowEngine()
    rec, jobs = recorded_jobs(clock, engine)
    rec.release.set()
    assert await jobs.ingest([sample("a", clock)], wait=False) == 1
    assert engine.runs == 0  # answered after the write, before any evaluation
    await asyncio.sleep(0)
    assert engine.asked == [{"a"}]  # the background evaluation is running (held by the engine)
    for name in ("b", "c"):
        await jobs.ingest([sample(name, clock)], wait=False)
    engine.release.set()
    await jobs.settled()
    assert engine.asked == [{"a"}, {"b", "c"}]  # the two that came meanwhile share a run
    assert jobs.running == set()
    await jobs.settled()  # nothing pending: returns at once


async def test_a_failing_background_evaluation_is_logged_and_the_next_one_runs(clock, caplog):
    class Broken(SlowEngine):
        async def evaluate(self, metrics=None):
            self.asked.append(metrics)
            if len(self.asked) == 1:
                raise RuntimeError("rules on fire")
            return []

    engine = Broken()
    rec, jobs = recorded_jobs(clock, engine)
    rec.release.set()
    await jobs.ingest([sample("a", clock)], wait=False)
    await jobs.settled()
    assert "evaluating new samples failed" in caplog.text
    await jobs.ingest([sample("b", clock)], wait=False)
    await jobs.settled()
    assert engine.asked == [{"a"}, {"b"}]


async def test_a_writer_cancelled_meanwhile_does_not_disturb_the_others_of_its_group(clock):
    engine = SlowEngine()
    engine.release.set()
    rec, jobs = recorded_jobs(clock, engine)
    for fail in (None, RuntimeError("disk full")):
        rec.release.clear()
        rec.fail = fail
        gone = asyncio.create_task(jobs.ingest([sample("a", clock)]))
        kept = asyncio.create_task(jobs.ingest([sample("b", clock)]))
        await asyncio.sleep(0)
        await asyncio.sleep(0)  # both are in the group being written
        gone.cancel()
        rec.release.set()
        result = await asyncio.gather(gone, kept, return_exceptions=True)
        assert isinstance(result[0], asyncio.CancelledError)
        assert result[1] == 1 if fail is None else str(result[1]) == "disk full"
    assert rec.writes == [["a", "b"], ["a", "b"]]
