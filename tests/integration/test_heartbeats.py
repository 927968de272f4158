"""Heartbeats: pings from cron/backup jobs, their metrics, and the age collector."""

from datetime import timedelta
from pathlib import Path

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from hub.collectors.heartbeats import HeartbeatCollector

MONITORING = "heartbeats:\n  backup: {period: 1h, grace: 10m}\n  nightly: {period: 1d}\n"
ALERTS = """alerts:
  heartbeat_missed:
    metric: heartbeat_overdue
    threshold: 0
    severity: critical
  job_failed:
    metric: job_success
    threshold: 0
    severity: warning
"""


@pytest.fixture
async def beats(make_hub, clock):
    app = make_hub(monitoring=MONITORING, alerts=ALERTS)
    async with AsyncTestClient(app=app) as client:
        state = app.state.hub
        client.headers["Authorization"] = f"Bearer {state.admin_token}"
        yield client, state


def latest(state, clock):
    async def read(name):
        samples = await state.tsdb.latest(clock.now() - timedelta(minutes=5), name)
        return {s.labels["heartbeat"]: s.value for s in samples}

    return read


async def test_an_ok_ping_records_success_age_zero_and_duration(beats, clock):
    client, state = beats
    response = await client.post("/api/v1/heartbeats/backup?duration=12.5&message=done")
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["message"], body["duration"], body["age"]) == (
        "ok",
        "done",
        12.5,
        0.0,
    )
    read = latest(state, clock)
    assert await read("job_success") == {"backup": 1.0}
    assert await read("heartbeat_age_seconds") == {"backup": 0.0}
    assert await read("job_duration_seconds") == {"backup": 12.5}


async def test_a_fail_ping_sets_job_success_to_zero_and_fires_the_rule(beats, clock):
    client, state = beats
    response = await client.post("/api/v1/heartbeats/backup?status=fail")
    assert response.json()["status"] == "fail"
    assert await latest(state, clock)("job_success") == {"backup": 0.0}
    alerts = (await client.get("/api/v1/alerts")).json()
    assert [(a["rule"], a["state"], a["labels"]["heartbeat"]) for a in alerts] == [
        ("job_failed", "firing", "backup")
    ]


async def test_a_failed_run_stays_alerting_until_the_next_ok_run(beats, clock):
    client, state = beats
    await client.post("/api/v1/heartbeats/backup?status=fail")
    (collector,) = [c for c in state.collectors if isinstance(c, HeartbeatCollector)]
    for _ in range(10):  # ten minutes: longer than the 5-minute lookback of a quiet series
        clock.advance(60)
        await state.jobs.collect(collector)
    alerts = (await client.get("/api/v1/alerts")).json()
    assert [(a["rule"], a["state"]) for a in alerts] == [("job_failed", "firing")]
    await client.post("/api/v1/heartbeats/backup")
    alerts = (await client.get("/api/v1/alerts")).json()
    assert [(a["rule"], a["state"]) for a in alerts] == [("job_failed", "resolved")]


async def test_a_json_body_or_a_text_body_carries_the_details(beats, clock):
    client, _ = beats
    json_ping = await client.post(
        "/api/v1/heartbeats/backup", json={"status": "fail", "message": "disk full", "duration": 3}
    )
    assert (json_ping.json()["status"], json_ping.json()["message"]) == ("fail", "disk full")
    text_ping = await client.post(
        "/api/v1/heartbeats/nightly",
        content=b"x" * 5000 + b"tail of the log",
        headers={"Content-Type": "text/plain"},
    )
    assert text_ping.json()["message"].endswith("tail of the log")
    assert len(text_ping.json()["message"]) == 1000


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("status=maybe", "status must be ok or fail, not 'maybe'"),
        ("duration=abc", "duration must be a number of seconds, not 'abc'"),
        ("duration=-1", "duration must be a non-negative number of seconds"),
    ],
)
async def test_invalid_ping_parameters_are_400(beats, query, reason):
    client, _ = beats
    response = await client.post(f"/api/v1/heartbeats/backup?{query}")
    assert response.status_code == 400
    assert reason in response.json()["detail"]


async def test_an_unknown_heartbeat_is_404_with_a_reason(beats):
    client, _ = beats
    response = await client.post("/api/v1/heartbeats/nosuch")
    assert response.status_code == 404
    assert "no heartbeat named 'nosuch'" in response.json()["detail"]


async def test_heartbeat_age_grows_with_the_clock_and_goes_overdue(beats, clock):
    client, state = beats
    await client.post("/api/v1/heartbeats/backup")
    (collector,) = [c for c in state.collectors if isinstance(c, HeartbeatCollector)]
    clock.advance(1800)
    await state.jobs.collect(collector)
    read = latest(state, clock)
    assert (await read("heartbeat_age_seconds"))["backup"] == 1800.0
    assert (await read("heartbeat_overdue"))["backup"] == 0.0
    clock.advance(3600 + 600)  # past period + grace
    await state.jobs.collect(collector)
    assert (await read("heartbeat_age_seconds"))["backup"] == 6000.0
    assert await read("heartbeat_overdue") == {"backup": 1.0, "nightly": 0.0}
    alerts = (await client.get("/api/v1/alerts")).json()
    assert [(a["rule"], a["labels"]["heartbeat"]) for a in alerts] == [
        ("heartbeat_missed", "backup")
    ]
    await client.post("/api/v1/heartbeats/backup")
    assert (await read("heartbeat_overdue"))["backup"] == 0.0


async def test_a_never_pinged_heartbeat_ages_from_when_the_hub_began_watching_it(beats, clock):
    client, _ = beats
    listed = (await client.get("/api/v1/heartbeats")).json()
    assert [(b["name"], b["last_ping_at"], b["age"]) for b in listed] == [
        ("backup", None, 0.0),
        ("nightly", None, 0.0),
    ]
    clock.advance(90000)
    listed = (await client.get("/api/v1/heartbeats")).json()
    assert [(b["name"], b["age"], b["overdue"]) for b in listed] == [
        ("backup", 90000.0, True),
        ("nightly", 90000.0, True),
    ]


async def test_heartbeat_metrics_reach_prometheus_metrics(beats):
    client, _ = beats
    await client.post("/api/v1/heartbeats/backup?duration=2")
    text = (await client.get("/metrics")).text
    assert 'tcf_job_success{heartbeat="backup"} 1.0' in text
    assert 'tcf_heartbeat_age_seconds{heartbeat="backup"} 0.0' in text
    assert 'tcf_job_duration_seconds{heartbeat="backup"} 2.0' in text


README_PING = (
    'curl -fsS -m 10 --retry 3 -X POST -H "Authorization: Bearer $T" '
    '"http://127.0.0.1:3001/api/v1/heartbeats/backup?status=$([ $? = 0 ] && echo ok || echo fail)"'
)
"""The README's line for a backup script, run by /bin/sh after a job that exits 0 or 1."""


def test_the_readme_curl_line_reports_the_jobs_exit_status(tmp_path):
    import subprocess

    from tests.helpers import hub_settings, serve_hub

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert README_PING in readme
    settings = hub_settings(tmp_path, "heartbeats:\n  backup: {period: 1d}\n")
    with serve_hub(settings) as running, running.api() as api:
        created = api.post("/api/v1/tokens", json={"name": "cron", "scope": "heartbeat"})
        env = {"T": created.json()["token"], "PATH": "/usr/bin:/bin"}
        line = README_PING.replace("127.0.0.1:3001", running.url.removeprefix("http://"))
        statuses = []
        for exit_code in (0, 1):
            done = subprocess.run(
                ["/bin/sh", "-c", f"(exit {exit_code}); {line}"],
                env=env,
                capture_output=True,
                text=True,
                timeout=30,
                check=True,
            )
            statuses.append(msgspec.json.decode(done.stdout)["status"])
    assert statuses == ["ok", "fail"]
