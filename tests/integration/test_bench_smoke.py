"""The issue 4 benchmarks still run (tiny parameters; their figures come from `make bench`)."""

from __future__ import annotations

from pathlib import Path

from tests.bench.collectors import run_collectors
from tests.bench.ingest import run_ingest


def test_collectors_benchmark_measures_a_hub_watching_services() -> None:
    figures = run_collectors(
        seconds=1, runs=1, services=2, extra_containers=0, warmup=3, variants=()
    )

    assert (figures.services_up, figures.services_seen) == (2, 2)
    [usage] = figures.usage["both"]
    assert usage.seconds >= 1
    assert usage.cpu_seconds >= 0
    assert 10 < usage.rss_mb <= usage.rss_peak_mb


def test_ingest_benchmark_paces_agents_and_counts_every_sample() -> None:
    figures = run_ingest(seconds=2, agents=3, series=12, interval=1, warmup=1.5)

    assert figures.errors == 0
    assert figures.hosts == 4  # three agents and the hub itself
    assert figures.samples >= 3 * 12  # at least one batch of each agent in the window
    assert figures.cpu_per_1000 > 0
    assert 0 < figures.p50_ms <= figures.p99_ms


async def test_rules_benchmark_evaluates_and_opens_the_hot_series_alerts():
    from tests.bench.rules import measure

    times, open_alerts, cpu = await measure(metrics=3, per_metric=66, rules_per_metric=2, cycles=3)
    assert len(times) == 3 and all(t > 0 for t in times)
    assert len(cpu) == 3 and all(c >= 0 for c in cpu)
    assert open_alerts == 12  # every 33rd of 198 series runs hot (6), and both rules fire


def test_load_benchmark_drives_dashboards_agents_queries_and_an_alarm() -> None:
    from tests.bench.load import run_load

    figures = run_load(seconds=22, sse=3, agents=3, series=5)

    assert figures.errors == 0, figures
    assert figures.sse_min_events > 0
    assert figures.batches >= 3
    assert figures.series_requests > 0
    assert figures.notifications == 1
    assert 0 < figures.notify_max_s < 10


def test_keepalive_benchmark_reuses_each_clients_connection() -> None:
    from tests.bench.keepalive import run_keepalive

    seen = run_keepalive(clients=3, rounds=3, idle=0.3)
    assert seen == {"ok": 9}  # 0.3 s idle is far from the hub's keep-alive: nothing fails


async def test_queries_benchmark_loads_a_month_of_many_series_and_times_the_chart(
    tmp_path: Path,
) -> None:
    from tests.bench.queries import month_times

    month = await month_times(tmp_path, series_count=3, days=2)  # make bench: 50 x 30 d

    assert month.samples == 3 * 2 * 8640
    assert month.tier_s == 60  # 2 days / 1000 points: 173 s buckets, from minute rollups
    assert month.blobs_per_call == 3 * 24  # one minute blob per series and 2-hour block
    assert set(month.times) == {"all", "each"}
    assert all(wall > 0 and cpu >= 0 for wall, cpu in month.times.values())
