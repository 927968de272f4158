"""Self-monitoring: hub_* samples stored and exposed on /metrics, and /readyz."""

from __future__ import annotations

import time

import httpx
import pytest

from hub.collectors.selfmon import SelfMonCollector
from tests.helpers import hub_settings, serve_hub


def _selfmon(hub) -> SelfMonCollector:
    return next(c for c in hub.state.collectors if isinstance(c, SelfMonCollector))


async def test_readyz_is_ok_without_auth_when_store_answers_and_no_job_is_overdue(hub):
    response = await hub.client.get("/readyz")
    assert (response.status_code, response.json()) == (200, {"status": "ok", "reasons": []})


async def test_readyz_names_the_overdue_job(hub):
    hub.state.jobs.monitor.expect("evaluate", 30.0, hub.clock.now())
    hub.clock.advance(120)
    response = await hub.client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "reasons": ["job evaluate: never finished 120 s ago (limit 90 s)"],
    }


async def test_readyz_says_the_store_does_not_answer(hub):
    await hub.state.store.engine.dispose()
    (hub.state.settings.data_dir / "hub.db").unlink()
    (hub.state.settings.data_dir / "hub.db").mkdir()  # the file is gone and cannot be opened
    response = await hub.client.get("/readyz")
    assert response.status_code == 503
    [reason] = response.json()["reasons"]
    assert reason.startswith("store: StoreWriteError: the store cannot write: unable to open")


async def test_hub_metrics_are_stored_and_exposed(hub):
    class Broken:
        name = "broken"
        interval = 10.0

        async def collect(self):
            raise OSError("source gone")

    with pytest.raises(OSError, match="source gone"):
        await hub.state.jobs.collect(Broken())
    hub.state.deliverer.failures["ops-webhook"] += 2
    hub.state.jobs.monitor.expect("evaluate", 30.0, hub.clock.now())
    hub.state.jobs.monitor.started("evaluate", hub.clock.now())
    hub.state.jobs.monitor.finished("evaluate", hub.clock.now(), ok=True)
    hub.state.jobs.monitor.skipped("evaluate")
    async with hub.state.store.tx() as tx:
        await tx.outbox.enqueue("ops-webhook", b"{}", None, hub.clock.now())
    await hub.state.jobs.collect(_selfmon(hub))

    text = (await hub.client.get("/metrics", headers=hub.auth)).text
    assert 'tcf_hub_collector_errors{collector="broken"} 1.0' in text
    assert 'tcf_hub_delivery_failures{channel="ops-webhook"} 2.0' in text
    assert "tcf_hub_outbox_queue_length 1.0" in text
    assert 'tcf_hub_job_overdue{job="evaluate"} 0.0' in text
    assert 'tcf_hub_job_skipped{job="evaluate"} 1.0' in text
    assert "tcf_hub_job_failures{" not in text  # no job failed yet: no series
    values = {
        line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if not line.startswith("#")
    }
    success = values['tcf_hub_job_last_success_timestamp_seconds{job="evaluate"}']
    assert success == hub.clock.now().timestamp()
    db_file = hub.state.settings.data_dir / "hub.db"
    assert values["tcf_hub_store_size_bytes"] == db_file.stat().st_size
    current = (await hub.client.get("/api/v1/metrics/current", headers=hub.auth)).json()
    assert {"hub_outbox_queue_length", "hub_job_lag_seconds"} <= {s["name"] for s in current}


def test_a_running_hub_reports_its_jobs_on_time(tmp_path):
    settings = hub_settings(tmp_path, "collection:\n  interval: 1\n", "alerts: {}\n")
    with serve_hub(settings) as running, running.api() as api:
        deadline = time.monotonic() + 20
        while True:
            current = api.get("/api/v1/metrics/current").json()
            jobs = {s["labels"]["job"] for s in current if s["name"] == "hub_job_lag_seconds"}
            if "collect:system" in jobs:
                break
            assert time.monotonic() < deadline, current
            time.sleep(0.2)
        assert {"deliver", "evaluate", "notify", "compact", "prune", "collect:selfmon"} <= jobs
        lags = [s["value"] for s in current if s["name"] == "hub_job_lag_seconds"]
        assert max(lags) < 5
        assert httpx.get(f"{running.url}/readyz").json() == {"status": "ok", "reasons": []}


async def test_each_reading_gives_free_memory_back(hub):
    released: list[None] = []
    collector = SelfMonCollector(
        hub.state.jobs.monitor,
        hub.state.store,
        {},
        hub.clock,
        10.0,
        release=lambda: released.append(None),
    )
    await collector.collect()
    await collector.collect()
    assert len(released) == 2


@pytest.mark.parametrize(("collection", "expected"), [(10.0, 60.0), (1.0, 6.0)])
def test_self_monitoring_reads_once_every_six_collection_intervals(hub, collection, expected):
    collector = SelfMonCollector(hub.state.jobs.monitor, hub.state.store, {}, hub.clock, collection)
    assert collector.interval == expected
