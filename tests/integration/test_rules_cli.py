"""``tcf-hub ctl rules test FILE`` (promtool-style rule unit tests, no hub) and ``ctl rules
list`` against a served hub; the README's rule-test example runs as documented."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from hub.cli import cli
from tests.helpers import hub_settings, serve_hub

README = Path(__file__).resolve().parents[2] / "README.md"
RULES = """
alerts:
  cpu_high:
    metric: cpu_usage
    threshold: 80
    duration: 2m
    message: "CPU on {{ labels.host }} at {{ value }}"
"""
TEST = """
rule_files: [alerts.yml]
tests:
  - input_series:
      - series: 'cpu_usage{host="a"}'
        values: "50+10x10"
      - series: 'cpu_usage{host="b"}'
        values: "20x10"
    alert_rule_test:
      - eval_time: 5m
        alertname: cpu_high
        exp_alerts: []
      - eval_time: 6m
        alertname: cpu_high
        exp_alerts:
          - exp_labels: {host: a, severity: warning}
            exp_annotations: {message: "CPU on a at 110"}
"""


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def write(folder: Path, rules: str, test: str) -> Path:
    (folder / "alerts.yml").write_text(rules)
    path = folder / "cpu_test.yml"
    path.write_text(test)
    return path


def test_passing_rule_tests_exit_0(tmp_path):
    result = run("ctl", "rules", "test", str(write(tmp_path, RULES, TEST)))
    assert result.exit_code == 0, result.output
    assert "2 of 2 checks passed" in result.output


def test_a_failing_rule_test_exits_1_with_a_readable_diff(tmp_path):
    wrong = TEST.replace("eval_time: 5m", "eval_time: 4m").replace("host: a,", "host: b,")
    result = run("ctl", "rules", "test", str(write(tmp_path, RULES, wrong)))
    assert result.exit_code == 1
    assert "FAILED cpu_test.yml test 1: alertname cpu_high, eval_time 6m:" in result.output
    assert '- {alertname="cpu_high", host="b", severity="warning"}' in result.output
    assert '+ {alertname="cpu_high", host="a", severity="warning"}' in result.output
    assert "1 of 2 checks passed" in result.output


def test_a_pending_alert_is_not_firing_yet(tmp_path):
    early = TEST.replace("eval_time: 6m", "eval_time: 5m30s")
    result = run("ctl", "rules", "test", str(write(tmp_path, RULES, early)))
    assert result.exit_code == 1  # at 5m30s the alert is still pending (fires at 6m)
    assert "got: (no alerts)" in result.output


def test_an_invalid_test_file_exits_1_naming_file_line_and_field(tmp_path):
    bad = TEST.replace('values: "20x10"', 'values: "20xten"')
    path = write(tmp_path, RULES, bad)
    result = run("ctl", "rules", "test", str(path))
    assert result.exit_code == 1
    assert f"{path}:8: tests[0].input_series[1].values:" in result.output
    missing = write(tmp_path, RULES, TEST.replace("[alerts.yml]", "[nope.yml]"))
    result = run("ctl", "rules", "test", str(missing))
    assert result.exit_code == 1
    assert "rule_files[0]: no such file" in result.output


def test_the_readme_rule_test_example_passes(tmp_path):
    text = README.read_text()
    blocks = dict(re.findall(r"<!-- rules-test: (\S+) -->\n```yaml\n(.*?)```", text, re.S))
    assert set(blocks) == {"alerts.yml", "cpu_test.yml"}
    for name, body in blocks.items():
        (tmp_path / name).write_text(body)
    result = run("ctl", "rules", "test", str(tmp_path / "cpu_test.yml"))
    assert result.exit_code == 0, result.output


def test_rules_list_shows_file_and_api_rules(tmp_path):
    settings = hub_settings(tmp_path, "", RULES)
    with serve_hub(settings) as hub:
        with hub.api() as api:
            made = api.post(
                "/api/v1/rules", json={"name": "disk_full", "metric": "disk_usage", "threshold": 90}
            )
            assert made.status_code == 201
        base = ("ctl", "--url", hub.url, "--token", hub.token, "rules", "list")
        table = run(*base)
        assert table.exit_code == 0, table.output
        assert re.search(r"cpu_high\s.*file\s.*cpu_usage > 80\s.*2m\s.*warning", table.output)
        assert re.search(r"disk_full\s.*api\s.*disk_usage > 90", table.output)
        listed = json.loads(run(*base, "--json").output)
        assert [(r["name"], r["source"]) for r in listed] == [
            ("cpu_high", "file"),
            ("disk_full", "api"),
        ]
