"""Self-monitoring bookkeeping: lag, runs, failures and when a job counts as overdue."""

from datetime import timedelta

from hub.lib.clock import ManualClock
from hub.lib.selfmon import SelfMonitor


def test_a_job_that_keeps_finishing_is_never_overdue():
    clock = ManualClock()
    monitor = SelfMonitor()
    monitor.expect("collect:system", 10.0, clock.now())
    for _ in range(20):
        clock.advance(10)
        monitor.started("collect:system", clock.now())
        monitor.finished("collect:system", clock.now(), ok=True)
    assert monitor.overdue(clock.now() + timedelta(seconds=50)) == {}
    record = monitor.jobs["collect:system"]
    assert (record.runs, record.failures, record.last_success) == (20, 0, clock.now())


def test_a_job_that_never_ran_is_overdue_after_two_intervals_and_the_grace():
    clock = ManualClock()
    monitor = SelfMonitor()
    monitor.expect("evaluate", 30.0, clock.now())
    assert monitor.overdue(clock.advance(90)) == {}
    assert monitor.overdue(clock.advance(1)) == {"evaluate": "never finished 91 s ago (limit 90 s)"}


def test_a_hung_run_is_overdue_even_though_it_started_on_time():
    clock = ManualClock()
    monitor = SelfMonitor()
    monitor.expect("deliver", 5.0, clock.now())
    monitor.started("deliver", clock.now())
    monitor.started("deliver", clock.advance(5))  # a second start keeps the first time
    assert monitor.overdue(clock.advance(36)) == {
        "deliver": "running for 41 s (limit 40 s)",
    }
    monitor.finished("deliver", clock.now(), ok=False)
    assert monitor.overdue(clock.now()) == {}
    record = monitor.jobs["deliver"]
    assert (record.runs, record.failures, record.last_success) == (1, 1, None)


def test_lag_and_skips_are_recorded_and_unknown_jobs_ignored():
    clock = ManualClock()
    monitor = SelfMonitor()
    monitor.expect("compact", 600.0, clock.now())
    due = clock.now()
    monitor.submitted("compact", due, clock.advance(2.5))
    monitor.submitted("compact", due + timedelta(seconds=10), clock.now())  # early: no lag
    monitor.skipped("compact")
    for call in (monitor.skipped, monitor.collector_failed):
        call("nobody")
    monitor.submitted("nobody", due, clock.now())
    monitor.started("nobody", clock.now())
    monitor.finished("nobody", clock.now(), ok=True)
    record = monitor.jobs["compact"]
    assert (record.lag, record.skipped) == (0.0, 1)
    monitor.submitted("compact", due, clock.now())
    assert record.lag == 2.5
    assert set(monitor.jobs) == {"compact"}
    assert monitor.collector_errors == {"nobody": 1}
