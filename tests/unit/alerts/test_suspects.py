"""The series that may break a plain threshold, kept up to date between full evaluations."""

from hub.alerts.plan import plan_rules
from hub.alerts.suspects import Suspects
from hub.domain.samples import Sample
from hub.rules.parse import parse_rules_text

PLANS = plan_rules(
    parse_rules_text(
        "alerts:\n"
        "  hot: {metric: cpu_usage, threshold: 80}\n"
        "  idle: {metric: cpu_usage, threshold: 1, operator: '<'}\n"
    )
)


def cpu(host: str, value: float, time: float) -> Sample:
    return Sample("cpu_usage", {"host": host}, value, time)


def test_only_series_beyond_a_threshold_start_as_suspects():
    suspects = Suspects(PLANS, {"cpu_usage": [cpu("a", 10, 100), cpu("b", 95, 100)]})
    assert suspects.any_fresh("cpu_usage", 100)
    assert not suspects.any_fresh("cpu_usage", 101)  # b's sample is older than that
    assert not Suspects(PLANS, {"cpu_usage": [cpu("a", 10, 100)]}).any_fresh("cpu_usage", 0)


def test_a_newer_sample_decides_and_a_late_fine_one_does_not_clear_a_suspect():
    suspects = Suspects(PLANS, {"cpu_usage": [cpu("a", 10, 100)]})
    suspects.note([cpu("a", 0.5, 110)])  # below the low threshold
    assert suspects.any_fresh("cpu_usage", 110)
    suspects.note([cpu("a", 50, 105)])  # late, older: the newest is still 0.5
    assert suspects.any_fresh("cpu_usage", 110)
    suspects.note([cpu("a", 50, 120)])
    assert not suspects.any_fresh("cpu_usage", 0)
    suspects.note([cpu("b", 99, 90)])  # late but none newer known: kept (a full evaluation)
    assert suspects.any_fresh("cpu_usage", 90)


def test_metrics_no_rule_reads_are_ignored():
    suspects = Suspects(PLANS, {"memory_usage": [Sample("memory_usage", {}, 1e9, 100)]})
    suspects.note([Sample("disk_usage", {}, 1e9, 100)])
    assert not suspects.any_fresh("memory_usage", 0)
    assert not suspects.any_fresh("disk_usage", 0)
