"""The full rule model in alerts.yml: matchers, levels, recovery, windows, absence, prediction,
no-data modes, templates — and the errors that name file, line and field."""

import math

import pytest

from hub.domain.matchers import Matcher, MatchOp
from hub.domain.rules import Aggregation, Level, NoData, Operator, Predict, Severity
from hub.lib.yamlconf import ConfigError
from hub.rules.aggregate import aggregate
from hub.rules.parse import parse_rules_text
from hub.rules.template import check, format_value, render

FULL = """
alerts:
  api_slow:
    metric: response_time
    match: 'service=~"api|web", env!="dev"'
    aggregate: p95
    window: 5m
    levels: {critical: 2000, warning: 500}
    recover: 400
    duration: 2m
    keep_firing_for: 1m
    nodata: keep_last
    labels: {team: web}
    message: "{{ labels.service }} p95 is {{ value }} ms (limit {{ threshold }})"
    annotations: {dashboard: "https://grafana/d/api?svc={{ labels.service }}"}
    runbook_url: https://wiki/runbooks/api-slow
  backup_missing:
    metric: heartbeat_age_seconds
    match: {heartbeat: backup}
    absent: 1h
    severity: critical
  disk_full_soon:
    metric: disk_usage
    predict: {window: 6h, horizon: 4h}
    threshold: 100
    operator: ">="
"""


def test_every_part_of_the_rule_model_is_read():
    slow, backup, disk = parse_rules_text(FULL)
    assert slow.matchers == (
        Matcher("service", MatchOp.RE, "api|web"),
        Matcher("env", MatchOp.NE, "dev"),
    )
    assert (slow.aggregate, slow.window) == (Aggregation.P95, 300)
    assert slow.levels == (Level(Severity.WARNING, 500), Level(Severity.CRITICAL, 2000))
    assert (slow.threshold, slow.severity, slow.operator) == (500, Severity.WARNING, Operator.GT)
    assert (slow.recover, slow.duration, slow.keep_firing_for) == (400, 120, 60)
    assert slow.nodata is NoData.KEEP_LAST
    assert slow.runbook_url == "https://wiki/runbooks/api-slow"
    assert backup.matchers == (Matcher("heartbeat", MatchOp.EQ, "backup"),)
    assert (backup.absent, backup.severity) == (3600, Severity.CRITICAL)
    assert disk.predict == Predict(6 * 3600, 4 * 3600)
    assert disk.lookback == 6 * 3600


@pytest.mark.parametrize(
    ("body", "field", "reason"),
    [
        ("metric: m\nthreshold: 1\nlevels: {warning: 2}", "alerts.r.levels", "not both"),
        ("metric: m\nlevels: {warning: 90, critical: 80}", "alerts.r.levels.critical", "further"),
        ("metric: m\nlevels: {}", "alerts.r.levels", "at least one"),
        ("metric: m\nlevels: {fatal: 1}", "alerts.r.levels", "Invalid enum value 'fatal'"),
        ("metric: m", "alerts.r", "missing required field `threshold`"),
        ("metric: m\nabsent: 5m\nthreshold: 1", "alerts.r.threshold", "no threshold"),
        ("metric: m\nthreshold: 90\nrecover: 95", "alerts.r.recover", "must not itself"),
        ("metric: m\nthreshold: 1\noperator: '=='\nrecover: 0", "alerts.r.recover", "needs"),
        ("metric: m\nthreshold: 1\naggregate: avg", "alerts.r.window", "needs a `window`"),
        ("metric: m\nthreshold: 1\naggregate: median\nwindow: 1m", "alerts.r.aggregate", "enum"),
        ("metric: m\nthreshold: 1\nmatch: 'host=~\"(\"'", "alerts.r.match", "bad regex"),
        ("metric: m\nthreshold: 1\nnodata: ignore", "alerts.r.nodata", "enum"),
        (
            "metric: m\nthreshold: 1\npredict: {window: 0, horizon: 1h}",
            "alerts.r.predict",
            "positive",
        ),
        ("metric: m\nthreshold: 1\nmessage: '{{ valu }}'", "alerts.r.message", "unknown field"),
        ("metric: m\nthreshold: 1\nrunbook_url: wiki/x", "alerts.r.runbook_url", "http"),
    ],
)
def test_invalid_rules_say_which_field_and_why(body, field, reason):
    text = "alerts:\n  r:\n" + "".join(f"    {line}\n" for line in body.splitlines())
    with pytest.raises(ConfigError) as caught:
        parse_rules_text(text, "alerts.yml")
    assert caught.value.field == field
    assert reason in caught.value.reason
    assert caught.value.line >= 2


def test_levels_for_a_falling_metric_escalate_downwards():
    (rule,) = parse_rules_text(
        "alerts:\n  low_disk_free:\n    metric: disk_free\n    operator: '<'\n"
        "    levels: {warning: 20, critical: 5}\n"
    )
    assert [lvl.threshold for lvl in rule.effective_levels] == [20, 5]


POINTS = [(0.0, 10.0), (10.0, 20.0), (20.0, 30.0), (30.0, 5.0), (40.0, 15.0)]


@pytest.mark.parametrize(
    ("how", "expected"),
    [
        (Aggregation.LAST, 15),
        (Aggregation.AVG, 16),
        (Aggregation.MIN, 5),
        (Aggregation.MAX, 30),
        (Aggregation.SUM, 80),
        (Aggregation.COUNT, 5),
        (Aggregation.P95, 28),  # between 20 and 30 at rank 3.8
        (Aggregation.DELTA, 5),
        # counter 10 -> 20 -> 30, reset to 5, -> 15: increase 10 + 10 + 5 + 10 over 40 s
        (Aggregation.RATE, 35 / 40),
    ],
)
def test_aggregations(how, expected):
    assert aggregate(how, POINTS) == pytest.approx(expected)


def test_aggregations_skip_nan_and_need_enough_points():
    assert aggregate(Aggregation.AVG, [(0, math.nan), (1, 4.0)]) == 4
    assert aggregate(Aggregation.AVG, []) is None
    assert aggregate(Aggregation.RATE, [(0, 1.0)]) is None
    assert aggregate(Aggregation.RATE, [(5, 1.0), (5, 2.0)]) is None


def test_templates_fill_labels_value_and_show_errors_in_place():
    text = render(
        "{{ labels.service }} is {{ value }} ms over {{ $threshold }} ({{ severity }}, "
        "{{ rule }}) {{ labels.nope }} {{ bogus }}",
        labels={"service": "api"},
        value=1234.5678,
        threshold=500,
        severity="critical",
        rule="api_slow",
    )
    assert text == (
        "api is 1234.57 ms over 500 (critical, api_slow) <error: no label 'nope'> "
        "<error: unknown field 'bogus'>"
    )
    assert check("{{ value }} {{ labels.x }} {{ nope }}") == [
        "unknown field 'nope' (use value, threshold, severity, rule or labels.NAME)"
    ]


def test_values_are_formatted_for_people():
    assert [format_value(v) for v in (None, 3.0, 85.125, 1e12, 2.5e-5, math.inf)] == [
        "no data",
        "3",
        "85.12",
        "1000000000000",
        "2.5e-05",
        "inf",
    ]
