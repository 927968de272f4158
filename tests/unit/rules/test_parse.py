"""alerts.yml parsing: the seed's format verbatim, and errors that name file, line and field."""

from pathlib import Path

import pytest

from hub.domain.rules import NotificationTarget, Operator, Severity
from hub.lib.yamlconf import ConfigError
from hub.rules.parse import load_rules, parse_rules_text

SEED = Path(__file__).resolve().parents[3] / "config" / "alerts.yml"


def test_seed_rules_load_verbatim_with_the_meaning_their_messages_state():
    rules = {r.name: r for r in load_rules(SEED)}
    assert set(rules) == {
        "cpu_high",
        "memory_critical",
        "service_down",
        "hub_job_overdue",
        "hub_outbox_backlog",
    }
    overdue = rules["hub_job_overdue"]
    assert (overdue.metric, overdue.operator, overdue.threshold) == (
        "hub_job_overdue",
        Operator.GT,
        0,
    )
    cpu = rules["cpu_high"]
    assert (cpu.metric, cpu.operator, cpu.threshold, cpu.duration, cpu.severity) == (
        "cpu_usage",
        Operator.GT,
        80,
        300,
        Severity.WARNING,
    )
    assert cpu.message == "CPU usage above 80% for 5 minutes"
    memory = rules["memory_critical"]
    assert (memory.operator, memory.threshold, memory.duration, memory.severity) == (
        Operator.GT,
        90,
        180,
        Severity.CRITICAL,
    )
    down = rules["service_down"]
    assert (down.metric, down.operator, down.threshold, down.duration) == (
        "service_health",
        Operator.LE,
        0,
        60,
    )
    assert down.notifications == (
        NotificationTarget("slack", "#alerts"),
        NotificationTarget("email", "ops-team@company.com"),
    )


def test_duration_strings_and_explicit_operator():
    (rule,) = parse_rules_text(
        "alerts:\n  slow:\n    metric: response_time\n    threshold: 500\n"
        "    duration: 1m30s\n    operator: '>='\n    labels: {team: web}\n"
    )
    assert rule.duration == 90
    assert rule.operator is Operator.GE
    assert rule.labels == {"team": "web"}
    assert rule.severity is Severity.WARNING


def test_empty_file_has_no_rules():
    assert parse_rules_text("") == ()
    assert parse_rules_text("alerts:\n") == ()


@pytest.mark.parametrize(
    ("text", "line", "field", "reason"),
    [
        (
            "alerts:\n  cpu:\n    metric: cpu_usage\n    treshold: 80\n",
            4,
            "alerts.cpu.treshold",
            "unknown field",
        ),
        (
            "alerts:\n  cpu:\n    metric: cpu_usage\n    threshold: high\n",
            4,
            "alerts.cpu.threshold",
            "Expected `float | null`, got `str`",
        ),
        (
            "alerts:\n  cpu:\n    metric: cpu_usage\n    threshold: 1\n    duration: soon\n",
            5,
            "alerts.cpu.duration",
            "expected a duration",
        ),
        (
            "alerts:\n  cpu:\n    metric: cpu_usage\n    threshold: 1\n    severity: page\n",
            5,
            "alerts.cpu.severity",
            "Invalid enum value 'page'",
        ),
        ("alerts:\n  cpu:\n    threshold: 1\n", 2, "alerts.cpu", "missing required field"),
        (
            "alerts:\n  cpu:\n    metric: m\n    threshold: 1\n    notifications:\n"
            "      - pager: '#x'\n",
            6,
            "alerts.cpu.notifications[0]",
            "unknown type 'pager'",
        ),
        (
            "alerts:\n  cpu:\n    metric: m\n    threshold: 1\n    notifications:\n"
            "      - {slack: '#x', email: a@b}\n",
            6,
            "alerts.cpu.notifications[0]",
            "one `TYPE: TARGET` pair",
        ),
        ("rules:\n  - x\n", 1, "rules", "unknown field"),
        ("alerts: [1, 2]\n", 1, "alerts", "expected a mapping"),
        (
            "alerts:\n  'bad name':\n    metric: m\n    threshold: 1\n",
            2,
            "alerts.bad name",
            "rule names",
        ),
        ("alerts:\n  cpu: {metric: m, threshold: [\n", 3, "", "invalid YAML"),
    ],
)
def test_invalid_rules_name_file_line_and_field(text, line, field, reason):
    with pytest.raises(ConfigError) as caught:
        parse_rules_text(text, "my/alerts.yml")
    error = caught.value
    assert error.file == "my/alerts.yml"
    assert error.line == line
    assert error.field == field
    assert reason in error.reason
    assert str(error).startswith(f"my/alerts.yml:{line}: ")


def test_unreadable_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        load_rules(tmp_path / "missing.yml")
