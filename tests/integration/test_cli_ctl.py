"""`ctl alerts silence`, `ctl silences` and `ctl metrics show SERVICE` against a running hub."""

from __future__ import annotations

import json

from click.testing import CliRunner

from hub.cli import cli
from tests.helpers import hub_settings, serve_hub


def test_silence_list_and_expire_through_the_cli(tmp_path):
    settings = hub_settings(tmp_path, "", "alerts: {}\n")
    with serve_hub(settings) as hub:
        base = ["ctl", "--url", hub.url, "--token", hub.token]

        def run(*args: str):
            return CliRunner().invoke(cli, [*base, *args])

        made = run(
            "alerts",
            "silence",
            "--match",
            "host=db1",
            "--match",
            'service=~"api|web"',
            "--duration",
            "30m",
            "--comment",
            "disk swap",
        )
        assert made.exit_code == 0, made.output
        assert " active until " in made.output
        silence_id = made.output.split()[1]

        listed = run("silences", "list", "--json")
        (row,) = json.loads(listed.output)
        assert (row["id"], row["state"], row["comment"]) == (silence_id, "active", "disk swap")
        assert [m["op"] for m in row["matchers"]] == ["=", "=~"]
        table = run("silences", "list")
        assert silence_id in table.output and 'service=~"api|web"' in table.output

        assert run("silences", "expire", silence_id).exit_code == 0
        again = run("silences", "expire", silence_id)
        assert again.exit_code == 1
        assert "already expired" in again.output

        bad = run("alerts", "silence", "--match", "host", "--comment", "x")
        assert bad.exit_code == 1
        assert "matchers" in bad.output
        assert run("alerts", "silence", "--match", "host=a").exit_code == 2  # --comment missing


def test_metrics_show_service_lists_its_probe_figures(tmp_path):
    import time

    from tests.http_peers import http_peer

    with http_peer() as peer:
        monitoring = (
            f"collection: {{docker: 'off'}}\nservices:\n  api:\n    url: {peer.url}\n"
            "    interval: 1\n"
        )
        settings = hub_settings(tmp_path, monitoring, "alerts: {}\n")
        with serve_hub(settings) as hub:
            base = ["ctl", "--url", hub.url, "--token", hub.token]
            deadline = time.monotonic() + 20
            while True:
                shown = CliRunner().invoke(cli, [*base, "metrics", "show", "api", "--json"])
                names = {row["name"] for row in json.loads(shown.output or "[]")}
                if {"service_health", "response_time", "error_rate"} <= names:
                    break
                assert time.monotonic() < deadline, shown.output
                time.sleep(0.3)
            table = CliRunner().invoke(cli, [*base, "metrics", "show", "api"])
            assert table.exit_code == 0
            assert "service_health" in table.output and "response_time" in table.output
