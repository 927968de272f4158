"""Rule evaluation: 1000 rules over 10,000 series per cycle (budget ≤ 100 ms).

100 metrics × 100 series (10 hosts × 10 instances), 10 rules per metric with different
thresholds, durations and severities; each cycle stores one new sample per series and runs one
evaluation through the real engine and store (SQLite), a few per cent of series breaching. The
first cycles open the alerts; the figure is the median and worst of the steady cycles.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from litestar.testing import AsyncTestClient

from hub.app import create_app
from hub.domain.samples import Sample
from hub.lib.clock import ManualClock
from hub.lib.gctune import tune_gc
from hub.store import upgrade
from tests.helpers import hub_settings

METRICS = 100
SERIES_PER_METRIC = 100
RULES_PER_METRIC = 10


def rules_yaml(metrics: int, per_metric: int) -> str:
    """``per_metric`` rules on each metric: thresholds 90..99, some with a duration."""
    lines = ["alerts:"]
    for m in range(metrics):
        for r in range(per_metric):
            lines += [
                f"  m{m}_r{r}:",
                f"    metric: bench_m{m}",
                f"    threshold: {90 + r % 10}",
                f"    duration: {60 * (r % 3)}",
                f"    severity: {('info', 'warning', 'critical')[r % 3]}",
            ]
    return "\n".join(lines) + "\n"


def samples(metrics: int, per_metric: int, now: float, rng: random.Random) -> list[Sample]:
    """One sample per series: 3 % of the series run hot (above every threshold), the rest
    wander below them, so after the first cycles alerts are steady, as on a real hub."""
    out = []
    for m in range(metrics):
        for i in range(per_metric):
            hot = (m * per_metric + i) % 33 == 0
            value = rng.uniform(99.1, 100) if hot else rng.uniform(0, 80)
            labels = {"host": f"h{i % 10}", "instance": f"i{i // 10}"}
            out.append(Sample(f"bench_m{m}", labels, value, now))
    return out


async def measure(
    metrics: int, per_metric: int, rules_per_metric: int, cycles: int
) -> tuple[list[float], int, list[float]]:
    """Seconds per evaluation cycle, the alerts open at the end, and CPU seconds (this
    process, the SQLite thread included) per evaluation cycle."""
    rng = random.Random(7)
    tune_gc()  # as `tcf-hub serve` does
    clock = ManualClock(datetime(2026, 11, 26, 12, tzinfo=UTC))
    with tempfile.TemporaryDirectory() as tmp:
        settings = hub_settings(Path(tmp), "", rules_yaml(metrics, rules_per_metric))
        app = create_app(settings, clock=clock, start_jobs=False, migrate=upgrade)
        async with AsyncTestClient(app=app):
            hub = app.state.hub
            times = []
            cpu = []
            for _ in range(cycles):
                batch = samples(metrics, per_metric, clock.now().timestamp(), rng)
                await hub.tsdb.write(batch)
                started, used = time.perf_counter(), time.process_time()
                await hub.engine.evaluate()
                times.append(time.perf_counter() - started)
                cpu.append(time.process_time() - used)
                clock.advance(10)
            async with hub.store.tx() as tx:
                open_alerts = len(await tx.alerts.open())
    return times, open_alerts, cpu


def run_rules(cycles: int = 12) -> None:
    """Print the evaluation figures."""
    times, open_alerts, cpu = asyncio.run(
        measure(METRICS, SERIES_PER_METRIC, RULES_PER_METRIC, cycles)
    )
    steady = times[3:]
    print(
        f"rules: {METRICS * RULES_PER_METRIC} rules × {METRICS * SERIES_PER_METRIC} series: "
        f"median {statistics.median(steady) * 1000:.0f} ms, worst {max(steady) * 1000:.0f} ms "
        f"per evaluation (first {times[0] * 1000:.0f} ms; {open_alerts} alerts open; "
        f"budget ≤ 100 ms); CPU median {statistics.median(cpu[3:]) * 1000:.0f} ms per "
        "evaluation (wall time counts other processes on a shared machine)"
    )
