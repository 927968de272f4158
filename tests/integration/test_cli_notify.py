"""`ctl notify test|channels|log` against a running hub and real receivers."""

from __future__ import annotations

import json

from click.testing import CliRunner

from hub.cli import cli
from tests.channel_peers import SECRET_PATH, hook
from tests.helpers import hub_settings, serve_hub


def test_notify_test_channels_and_log_through_the_cli(tmp_path):
    with hook() as ops, hook(404) as gone:
        monitoring = (
            f"channels:\n  ops:\n    type: webhook\n    url: {ops.url}\n"
            f"  gone:\n    type: slack\n    url: {gone.url}\n"
        )
        settings = hub_settings(tmp_path, monitoring, "alerts: {}\n")
        with serve_hub(settings) as hub:
            base = ["ctl", "--url", hub.url, "--token", hub.token]

            def run(*args: str):
                return CliRunner().invoke(cli, [*base, *args])

            sent = run("notify", "test", "ops")
            refused = run("notify", "test", "gone")
            unknown = run("notify", "test", "nope")
            table = run("notify", "channels")
            listed = json.loads(run("notify", "channels", "--json").output)
            log = run("notify", "log")
            entries = json.loads(run("notify", "log", "--json", "--channel", "ops").output)
    assert sent.exit_code == 0, sent.output
    assert sent.output.startswith("ops: delivered in ")
    assert ops.bodies[0]["commonLabels"]["alertname"] == "tcf_hub_test"
    assert refused.exit_code == 1
    assert "gone: not delivered (receiver answered HTTP 404)" in refused.output
    assert unknown.exit_code == 1 and "no channel named 'nope'" in unknown.output
    assert {c["name"]: c["status"] for c in listed} == {"ops": "ok", "gone": "failing"}
    assert "failing" in table.output
    assert "gone" in log.output and "404" in log.output and "failed" in log.output
    assert [e["outcome"] for e in entries] == ["sent"]
    for output in (sent, refused, table, log):
        assert SECRET_PATH not in output.output
