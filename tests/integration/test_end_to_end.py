"""The walking skeleton's whole path with real parts: a really collected metric fires a rule,
a real receiver gets Alertmanager v4 JSON, `tcf-hub ctl alerts ack` acknowledges it, and the API
shows who acknowledged it and when."""

from __future__ import annotations

import json
import re
import time
from datetime import datetime

from click.testing import CliRunner

from hub.cli import cli
from tests.helpers import hub_settings, receiver, serve_hub

V4_KEYS = {
    "version",
    "groupKey",
    "truncatedAlerts",
    "status",
    "receiver",
    "groupLabels",
    "commonLabels",
    "commonAnnotations",
    "externalURL",
    "alerts",
}
ALERT_KEYS = {
    "status",
    "labels",
    "annotations",
    "startsAt",
    "endsAt",
    "generatorURL",
    "fingerprint",
}
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def ctl(hub, *args: str):
    return CliRunner().invoke(
        cli, ["ctl", "--url", hub.url, "--data-dir", str(hub.settings.data_dir), *args]
    )


def test_collected_metric_fires_rule_delivers_webhook_and_cli_acknowledges(tmp_path):
    with receiver() as peer:
        settings = hub_settings(
            tmp_path,
            f"collection: {{interval: 1s}}\nchannels:\n  ops:\n    type: webhook\n"
            f"    url: {peer.url}\n",
            # memory in use is always above 0.1 %: a low threshold on a really collected metric
            "alerts:\n  memory_in_use:\n    metric: memory_usage\n    threshold: 0.1\n"
            "    duration: 0\n    severity: critical\n    message: Memory is in use\n",
        )
        with serve_hub(settings) as hub:
            started = time.monotonic()
            (body,) = peer.wait(1, timeout=30)
            fault_to_webhook = time.monotonic() - started

            # The v4 payload, field by field.
            assert set(body) == V4_KEYS
            assert body["version"] == "4"
            assert body["status"] == "firing"
            assert body["receiver"] == "ops"
            assert body["truncatedAlerts"] == 0
            assert body["externalURL"] == hub.url
            assert (
                body["groupKey"].startswith("{}:{")
                and 'alertname="memory_in_use"' in (body["groupKey"])
            )
            (alert,) = body["alerts"]
            assert set(alert) == ALERT_KEYS
            assert alert["status"] == "firing"
            assert alert["labels"]["alertname"] == "memory_in_use"
            assert alert["labels"]["severity"] == "critical"
            assert alert["labels"]["host"]
            assert body["commonLabels"] == alert["labels"]
            assert body["groupLabels"] == {"alertname": "memory_in_use"}  # default group_by
            assert alert["annotations"]["message"] == "Memory is in use"
            assert body["commonAnnotations"] == alert["annotations"]
            assert RFC3339.match(alert["startsAt"])
            assert alert["endsAt"] == "0001-01-01T00:00:00Z"
            assert re.fullmatch(r"[0-9a-f]{16}", alert["fingerprint"])
            assert alert["generatorURL"].startswith(hub.url)
            assert fault_to_webhook < 10

            listed = ctl(hub, "alerts", "list", "--json")
            assert listed.exit_code == 0, listed.output
            (row,) = json.loads(listed.output)
            assert {
                "id",
                "rule",
                "state",
                "severity",
                "labels",
                "started_at",
                "acknowledged_by",
            } <= set(row)
            assert (row["rule"], row["state"]) == ("memory_in_use", "firing")
            assert row["labels"] == alert["labels"]

            acked = ctl(hub, "alerts", "ack", str(row["id"]), "--comment", "looking")
            assert acked.exit_code == 0, acked.output
            assert f"alert {row['id']} (memory_in_use) acknowledged by" in acked.output

            with hub.api() as api:
                shown = api.get(f"/api/v1/alerts/{row['id']}").json()
            assert shown["state"] == "acknowledged"
            assert shown["acknowledged_by"].endswith("@" + __import__("socket").gethostname())
            assert shown["ack_comment"] == "looking"
            when = datetime.fromisoformat(shown["acknowledged_at"].replace("Z", "+00:00"))
            assert abs(when.timestamp() - time.time()) < 30

            again = ctl(hub, "alerts", "ack", str(row["id"]))
            assert again.exit_code == 0
            assert "already acknowledged" in again.output

            table = ctl(hub, "alerts", "list")
            assert "memory_in_use" in table.output and "acknowledged" in table.output

            metrics = ctl(hub, "metrics", "show")
            assert metrics.exit_code == 0
            assert "memory_usage" in metrics.output and "system_load" in metrics.output
            as_json = json.loads(ctl(hub, "metrics", "show", "--json").output)
            assert {m["name"] for m in as_json} >= {"memory_usage", "disk_usage", "system_load"}

            unacked = ctl(hub, "alerts", "unack", str(row["id"]))
            assert unacked.exit_code == 0 and "is firing" in unacked.output
        assert any("login link" in m for m in hub.messages)


def test_live_events_stream_samples_after_each_collection(tmp_path):
    settings = hub_settings(tmp_path, "collection: {interval: 1s}\n", "alerts: {}\n")
    with (
        serve_hub(settings) as hub,
        hub.api() as api,
        api.stream("GET", "/api/v1/events", timeout=15) as stream,
    ):
        assert stream.headers["content-type"].startswith("text/event-stream")
        # The hub's self-monitoring job publishes its own batch too; read
        # batches until the host collector's one arrives.
        event = None
        batches = []
        for line in stream.iter_lines():
            if line.startswith("event: "):
                event = line[7:]
            if line.startswith("data: ") and event == "samples":
                batches.append(json.loads(line[6:]))
                if any(s["name"] == "memory_usage" for s in batches[-1]) or len(batches) >= 20:
                    break
    names = {s["name"] for batch in batches for s in batch}
    assert "memory_usage" in names
    assert all({"name", "labels", "value", "time", "unit"} <= set(s) for b in batches for s in b)
