"""packaging/grafana/tcf-hub.json: an importable dashboard that only queries series /metrics has."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from hub.domain.samples import METRICS

DASHBOARD = Path(__file__).resolve().parents[2] / "packaging" / "grafana" / "tcf-hub.json"
DATASOURCE = {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}
EXPOSED = {info.prometheus_name for info in METRICS.values()} | {"tcf_alerts"}
"""Every name /metrics serves: the catalogue's, and the alerts gauge hub/api/metrics.py adds."""
PROMQL_WORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset"}
PROMQL_WORDS |= {"and", "or", "unless"}
C7_HOST = ("cpu_usage", "memory_usage", "disk_usage", "system_load", "network_io")
C7_SERVICE = ("service_health", "response_time", "error_rate")


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression selects (not functions, labels or keywords)."""
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # label values
    expr = re.sub(r"\{[^}]*\}|\[[^\]]*\]", "", expr)  # matchers, range durations
    expr = re.sub(r"\b(?:by|without|on|ignoring)\s*\([^)]*\)", "", expr)  # grouping labels
    names = set()
    for match in re.finditer(r"[A-Za-z_:][\w:]*", expr):
        function = expr[match.end() :].lstrip().startswith("(")
        if not function and match.group() not in PROMQL_WORDS:
            names.add(match.group())
    return names


def load() -> dict[str, Any]:
    return json.loads(DASHBOARD.read_text())


def panels() -> list[dict[str, Any]]:
    """The panels that show data (rows only group them)."""
    return [p for p in load()["panels"] if p["type"] != "row"]


def exprs() -> list[str]:
    return [t["expr"] for p in panels() for t in p["targets"]]


@pytest.mark.parametrize(
    ("expr", "names"),
    [
        ('sum by (severity) (tcf_alerts{state="firing"}) or vector(0)', {"tcf_alerts"}),
        ('tcf_cpu_usage_ratio{host=~"$host", container!=""}', {"tcf_cpu_usage_ratio"}),
        ("rate(node_cpu_seconds_total[5m]) / on (cpu) up", {"node_cpu_seconds_total", "up"}),
        ('max without (mount) (x{mount="a{b}"})', {"x"}),
    ],
)
def test_metric_names_are_found_past_functions_labels_and_grouping(expr, names):
    assert metric_names(expr) == names


def test_dashboard_imports_with_a_prometheus_input():
    dashboard = load()
    assert dashboard["__inputs"] == [
        {
            "name": "DS_PROMETHEUS",
            "label": "Prometheus",
            "description": dashboard["__inputs"][0]["description"],
            "type": "datasource",
            "pluginId": "prometheus",
            "pluginName": "Prometheus",
        }
    ]
    assert dashboard["id"] is None  # Grafana assigns one on import
    assert dashboard["uid"] == "tcf-hub"
    assert 36 <= dashboard["schemaVersion"] <= 39


def test_host_variable_lists_the_hosts_from_prometheus():
    [host] = load()["templating"]["list"]
    assert host["name"] == "host"
    assert host["datasource"] == DATASOURCE
    assert host["definition"] == "label_values(tcf_cpu_usage_ratio, host)"
    assert host["includeAll"]
    assert host["allValue"] == ".*"


def test_every_panel_queries_prometheus_for_series_the_hub_exposes():
    ids = [p["id"] for p in load()["panels"]]
    assert len(ids) == len(set(ids))
    for panel in panels():
        assert panel["datasource"] == DATASOURCE, panel["title"]
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            assert target["datasource"] == DATASOURCE, panel["title"]
            names = metric_names(target["expr"])
            assert names, f"{panel['title']}: {target['expr']} selects no metric"
            assert names <= EXPOSED, f"{panel['title']}: /metrics has no {names - EXPOSED}"


def test_dashboard_covers_host_containers_services_and_alerts():
    used = set().union(*map(metric_names, exprs()))
    host = {METRICS[m].prometheus_name for m in C7_HOST}
    services = {METRICS[m].prometheus_name for m in C7_SERVICE}
    assert host | services | {"tcf_alerts"} <= used
    for name in ("tcf_cpu_usage_ratio", "tcf_memory_usage_ratio"):
        assert any('container!=""' in e and name in e for e in exprs()), name
    for expr in exprs():
        if metric_names(expr) & host:  # containers share these names: each panel picks a side
            assert 'host=~"$host"' in expr, expr
            assert 'container=""' in expr or 'container!=""' in expr, expr
