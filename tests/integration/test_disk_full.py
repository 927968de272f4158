"""The data dir on a small tmpfs filled to the last byte: the hub keeps answering its API, and
writes again once space returns."""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.helpers import hub_settings, receiver, serve_hub
from tests.http_peers import http_peer


@contextlib.contextmanager
def small_tmpfs(where: Path, size: str) -> Iterator[Path]:
    where.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"mount -t tmpfs is not permitted here: {mounted.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def fill(folder: Path) -> Path:
    """Write a file until the file system is full; returns it."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (65536, 512, 1):  # big blocks, then whatever is left
            with contextlib.suppress(OSError):
                while os.write(fd, b"\0" * size):
                    pass
    finally:
        os.close(fd)
    return filler


def stored(api: httpx.Client, since: float) -> int:
    series = api.get("/api/v1/series", params={"match": "cpu_usage", "from": since}).json()
    return len(series[0]["timestamps"]) if series else 0


def wait_for(check, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline
        time.sleep(0.25)


def test_a_full_disk_keeps_the_api_up_and_writing_resumes_when_space_returns(tmp_path):
    with small_tmpfs(tmp_path / "mnt", "24m") as mnt:
        settings = hub_settings(mnt, "collection:\n  interval: 1\n  docker: off\n", "alerts: {}\n")
        with serve_hub(settings) as hub, hub.api() as api:
            start = time.time()
            wait_for(lambda: stored(api, start) >= 2)
            filler = fill(mnt)
            full_since = time.time()
            time.sleep(4)  # collections fail to store meanwhile
            assert httpx.get(f"{hub.url}/healthz").status_code == 200
            assert api.get("/api/v1/metrics/current").status_code == 200
            assert api.get("/api/v1/alerts").status_code == 200
            ready = httpx.get(f"{hub.url}/readyz")
            assert ready.status_code == 200, ready.text  # jobs still run; the store answers
            during = stored(api, full_since + 1.5)

            filler.unlink()
            back = time.time()
            wait_for(lambda: stored(api, back) >= 2)  # writing again
            assert during <= 1  # nothing could be written while the disk was full


ALERTS = """
alerts:
  web_down:
    metric: service_health
    operator: "<"
    threshold: 1
    severity: critical
    message: web is down
"""


def refuses_writes(api: httpx.Client) -> bool:
    """Whether a write through the API is refused (SQLite may still fit a few into its WAL)."""
    made = api.post(
        "/api/v1/silences",
        json={"matchers": ["alertname=nothing"], "duration": "1m", "comment": "probe"},
    )
    assert made.status_code in (201, 503), made.text
    return made.status_code == 503


def test_a_fault_on_a_full_disk_is_notified_and_stored_once_space_returns(tmp_path):
    with (
        small_tmpfs(tmp_path / "mnt", "24m") as mnt,
        http_peer() as web,
        receiver() as hook,
    ):
        monitoring = f"""
collection:
  interval: 1
  docker: off
services:
  web:
    url: {web.url}
    interval: 1
    timeout: 0.5
channels:
  ops:
    type: webhook
    url: {hook.url}
"""
        settings = hub_settings(mnt, monitoring, ALERTS)
        with serve_hub(settings) as hub, hub.api() as api:
            wait_for(lambda: any(s["name"] == "service_health" for s in current(api)))
            filler = fill(mnt)
            wait_for(lambda: refuses_writes(api), timeout=30)

            web.stop()  # the fault
            fault = time.monotonic()
            (body,) = hook.wait(1, timeout=10)  # the usual fault -> notification budget
            took = time.monotonic() - fault
            assert body["status"] == "firing", body
            assert [a["labels"]["alertname"] for a in body["alerts"]] == ["web_down"]
            assert api.get("/api/v1/alerts").json() == []  # nothing of it could be stored

            # self-monitoring reports the failing jobs from memory
            wait_for(lambda: job_failures(api.get("/metrics").text).get("collect:system", 0) >= 2)

            filler.unlink()
            wait_for(lambda: logged_outcomes(api) == ["sent-from-memory"], timeout=30)
            [stored] = api.get("/api/v1/alerts").json()
            assert (stored["rule"], stored["state"]) == ("web_down", "firing")
            time.sleep(3)  # past group_wait and a delivery run: nothing is sent again
            assert len(hook.bodies) == 1, hook.bodies
            assert logged_outcomes(api) == ["sent-from-memory"]
            print(f"fault -> webhook on a full disk: {took:.2f} s")


def current(api: httpx.Client) -> list[dict]:
    return api.get("/api/v1/metrics/current").json()


def logged_outcomes(api: httpx.Client) -> list[str]:
    return [d["outcome"] for d in api.get("/api/v1/notifications/deliveries").json()]


def job_failures(exposition: str) -> dict[str, float]:
    """``hub_job_failures_total`` per job from a /metrics text (exposed as a gauge)."""
    found: dict[str, float] = {}
    for family in text_string_to_metric_families(exposition):
        for sample in family.samples:
            if sample.name == "tcf_hub_job_failures":
                found[sample.labels["job"]] = sample.value
    return found
