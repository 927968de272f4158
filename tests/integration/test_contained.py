"""Failing dependencies stay in their own collector or channel: a service whose host does not
resolve (.invalid), one that accepts connections and never answers, and a webhook channel whose
host does not resolve; the hub's other jobs keep their schedule and /readyz stays ok."""

from __future__ import annotations

import socket
import time

import httpx

from tests.helpers import hub_settings, receiver, serve_hub

ALERTS = """
routes:
  group_wait: 0s
alerts:
  down:
    metric: service_health
    threshold: 0
    severity: critical
"""


def test_unresolvable_and_hanging_peers_stall_nothing_else(tmp_path):
    with socket.socket() as hanging:  # accepts (the kernel's backlog) and never answers
        hanging.bind(("127.0.0.1", 0))
        hanging.listen(16)
        port = hanging.getsockname()[1]
        monitoring = f"""
collection:
  interval: 1
  docker: off
services:
  nowhere:
    url: http://monitored-host.invalid/health
    interval: 2
    timeout: 1
  hung:
    url: http://127.0.0.1:{port}/health
    metrics_url: http://127.0.0.1:{port}/metrics
    interval: 2
    timeout: 1
channels:
  hook:
    type: webhook
    url: http://receiver.invalid/hook
"""
        with serve_hub(hub_settings(tmp_path, monitoring, ALERTS)) as hub, hub.api() as api:
            deadline = time.monotonic() + 30
            while True:
                now = {
                    (s["name"], s["labels"].get("service", s["labels"].get("channel", ""))): s
                    for s in api.get("/api/v1/metrics/current").json()
                }
                failed = now.get(("hub_delivery_failures_total", "hook"), {}).get("value", 0)
                if failed >= 2:
                    break
                assert time.monotonic() < deadline, sorted(now)
                time.sleep(0.5)
            assert now[("service_health", "nowhere")]["value"] == 0
            assert now[("service_health", "hung")]["value"] == 0
            lags = {
                s["labels"]["job"]: s["value"]
                for s in api.get("/api/v1/metrics/current").json()
                if s["name"] == "hub_job_lag_seconds"
            }
            assert lags["collect:system"] < 1.0, lags  # still on its 1 s schedule
            ready = httpx.get(f"{hub.url}/readyz")
            assert (ready.status_code, ready.json()["reasons"]) == (200, [])
            since = time.time()
            time.sleep(3.5)  # the peers still hang and fail to resolve meanwhile
            cpu = api.get("/api/v1/series", params={"match": "cpu_usage", "from": since}).json()
            assert len(cpu[0]["timestamps"]) >= 2  # about one a second


def test_smtp_refusing_or_never_answering_slows_no_other_channel(tmp_path):
    with (
        socket.socket() as hanging,  # accepts (the kernel's backlog), never greets
        socket.socket() as closed,  # bound, not listening: connections are refused
        receiver() as good,
    ):
        hanging.bind(("127.0.0.1", 0))
        hanging.listen(16)
        closed.bind(("127.0.0.1", 0))
        monitoring = f"""
collection:
  interval: 1
  docker: off
services:
  nowhere:
    url: http://monitored-host.invalid/health
    interval: 2
    timeout: 1
channels:
  refused:
    type: email
    to: ops@example.com
    smarthost: 127.0.0.1:{closed.getsockname()[1]}
    tls: none
  mute:
    type: email
    to: ops@example.com
    smarthost: 127.0.0.1:{hanging.getsockname()[1]}
    tls: none
    timeout: 6
  good:
    type: webhook
    url: {good.url}
"""
        with serve_hub(hub_settings(tmp_path, monitoring, ALERTS)) as hub, hub.api() as api:
            (body,) = good.wait(1, timeout=20)
            assert body["alerts"][0]["labels"]["alertname"] == "down"
            # the mute server holds its delivery until the 6 s timeout: the webhook did not wait
            assert delivery_failures(api).get("mute", 0) == 0
            deadline = time.monotonic() + 30
            while not {"refused", "mute"} <= delivery_failures(api).keys():
                assert time.monotonic() < deadline, delivery_failures(api)
                time.sleep(0.5)
            lags = {
                s["labels"]["job"]: s["value"]
                for s in api.get("/api/v1/metrics/current").json()
                if s["name"] == "hub_job_lag_seconds"
            }
            assert lags["collect:system"] < 1.0, lags
            ready = httpx.get(f"{hub.url}/readyz")
            assert (ready.status_code, ready.json()["reasons"]) == (200, [])
            [alert] = api.get("/api/v1/alerts").json()
            assert alert["state"] == "firing"


def delivery_failures(api: httpx.Client) -> dict[str, float]:
    return {
        s["labels"]["channel"]: s["value"]
        for s in api.get("/api/v1/metrics/current").json()
        if s["name"] == "hub_delivery_failures_total"
    }
