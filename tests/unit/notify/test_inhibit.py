"""Inhibition: which firing alerts mute which others (behaviour 15)."""

from datetime import UTC, datetime
from itertools import count

import pytest

from hub.domain.alerts import Alert, AlertState
from hub.domain.matchers import Matcher, MatchOp
from hub.domain.rules import Severity
from hub.lib.yamlconf import parse_yaml
from hub.notify.inhibit import (
    InhibitRule,
    InhibitRuleError,
    default_inhibit_rules,
    host_down_rule,
    inhibited,
    inhibited_by,
    parse_inhibit_rules,
)

T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
_ids = count(1)


def alert(rule: str, state: AlertState = AlertState.FIRING, **labels: str) -> Alert:
    """An alert of ``rule``; its labels carry ``alertname`` as rule evaluation sets it."""
    return Alert(
        id=next(_ids),
        fingerprint=f"{rule}{sorted(labels.items())}",
        rule=rule,
        state=state,
        severity=Severity.WARNING,
        labels={"alertname": rule, **labels},
        annotations={},
        value=1.0,
        started_at=T0,
    )


CRITICAL_MUTES_WARNING = InhibitRule(
    source_matchers=(Matcher("severity", MatchOp.EQ, "critical"),),
    target_matchers=(Matcher("severity", MatchOp.EQ, "warning"),),
    equal=("service", "cluster"),
)


# Behaviour 15 ---------------------------------------------------------------------------------


def test_behaviour_15_a_firing_source_mutes_targets_with_equal_labels():
    source = alert("api_down", severity="critical", service="api")
    target = alert("api_slow", severity="warning", service="api")
    other = alert("mail_slow", severity="warning", service="mail")
    rules = [CRITICAL_MUTES_WARNING]
    assert inhibited_by(target, [source, target, other], rules) == source
    assert not inhibited(other, [source, target, other], rules)
    assert not inhibited(source, [source, target, other], rules)


@pytest.mark.parametrize("state", [AlertState.PENDING, AlertState.RESOLVED])
def test_behaviour_15_only_a_firing_source_mutes(state):
    source = alert("api_down", state, severity="critical", service="api")
    target = alert("api_slow", severity="warning", service="api")
    assert not inhibited(target, [source, target], [CRITICAL_MUTES_WARNING])


def test_behaviour_15_an_acknowledged_source_still_mutes():
    source = alert("api_down", AlertState.ACKNOWLEDGED, severity="critical", service="api")
    target = alert("api_slow", severity="warning", service="api")
    assert inhibited(target, [source], [CRITICAL_MUTES_WARNING])


def test_behaviour_15_target_is_notified_at_the_next_tick_after_the_source_resolves():
    firing = alert("api_down", severity="critical", service="api")
    target = alert("api_slow", severity="warning", service="api")
    ticks = [
        [firing, target],
        [firing, target],
        [alert("api_down", AlertState.RESOLVED, severity="critical", service="api"), target],
    ]
    muted = [inhibited(target, alerts, [CRITICAL_MUTES_WARNING]) for alerts in ticks]
    assert muted == [True, True, False]


def test_behaviour_15_an_alert_matching_both_sides_does_not_mute_itself():
    rule = InhibitRule(
        source_matchers=(Matcher("severity", MatchOp.RE, "warning|critical"),),
        target_matchers=(Matcher("severity", MatchOp.RE, "warning|critical"),),
        equal=("service",),
    )
    only = alert("api_slow", severity="warning", service="api")
    assert not inhibited(only, [only], [rule])
    # Another two-sided alert does not mute it either, as in Alertmanager ...
    twin = alert("api_errors", severity="critical", service="api")
    assert not inhibited(only, [only, twin], [rule])
    # ... but a source that matches only the source side does.
    narrow = InhibitRule(rule.source_matchers, (Matcher("severity", MatchOp.EQ, "warning"),))
    assert inhibited_by(only, [only, twin], [narrow, rule]) == twin


def test_behaviour_15_a_missing_equal_label_equals_an_empty_one():
    source = alert("api_down", severity="critical", service="api")  # no cluster
    no_cluster = alert("api_slow", severity="warning", service="api")
    empty_cluster = alert("api_slow", severity="warning", service="api", cluster="")
    other_cluster = alert("api_slow", severity="warning", service="api", cluster="eu")
    rules = [CRITICAL_MUTES_WARNING]
    assert inhibited(no_cluster, [source], rules)
    assert inhibited(empty_cluster, [source], rules)
    assert not inhibited(other_cluster, [source], rules)


# The default rule -----------------------------------------------------------------------------


def test_a_firing_host_down_mutes_that_hosts_other_alerts_only():
    down = alert("host_down", host="db1")
    cpu_db1 = alert("cpu_high", host="db1")
    cpu_web1 = alert("cpu_high", host="web1")
    no_host = alert("service_down", service="api")
    alerts = [down, cpu_db1, cpu_web1, no_host]
    rules = default_inhibit_rules()
    assert inhibited_by(cpu_db1, alerts, rules) == down
    assert not inhibited(cpu_web1, alerts, rules)
    assert not inhibited(no_host, alerts, rules)
    assert not inhibited(down, alerts, rules)


def test_host_down_rule_names_are_configurable():
    rule = host_down_rule(alertname="node_unreachable", host_label="instance")
    down = alert("node_unreachable", instance="db1:9100")
    disk = alert("disk_full", instance="db1:9100", host="db1")
    assert inhibited(disk, [down], [rule])
    assert not inhibited(disk, [alert("host_down", host="db1")], [rule])


def test_no_rules_mute_nothing():
    down = alert("host_down", host="db1")
    assert not inhibited(alert("cpu_high", host="db1"), [down], [])


# Parsing --------------------------------------------------------------------------------------


def test_alertmanager_yaml_rules_parse():
    doc = parse_yaml(
        "inhibit_rules:\n"
        "  - source_matchers: ['alertname=\"host_down\"']\n"
        "    target_matchers: ['alertname!=\"host_down\"', 'host!=\"\"']\n"
        "    equal: [host]\n"
        "  - source_matchers: [severity=critical]\n",
        "monitoring.yml",
    )
    rules = parse_inhibit_rules(doc.data["inhibit_rules"], ("inhibit_rules",))
    assert rules == (host_down_rule(), InhibitRule((Matcher("severity", MatchOp.EQ, "critical"),)))


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"target_matchers": ["a=b"]}, "source_matchers", "at least one matcher"),
        ({"source_matchers": "a=b"}, "source_matchers", "expected a list"),
        ({"source_matchers": ["a=b", "c"]}, "source_matchers[1]", "not a matcher"),
        ({"source_matchers": ["a=~("]}, "source_matchers[0]", "bad regex"),
        ({"source_matchers": ["a=b"], "equal": ["host", "bad-name"]}, "equal[1]", "label name"),
        ({"source_matchers": ["a=b"], "equal": "host"}, "equal", "expected a list"),
        ({"source_matchers": ["a=b"], "source_match": {"a": "b"}}, "source_match", "unknown"),
    ],
)
def test_invalid_rules_name_the_field(body, field, message):
    with pytest.raises(InhibitRuleError, match=message) as caught:
        parse_inhibit_rules([body], ("inhibit_rules",))
    assert str(caught.value).startswith(f"inhibit_rules[0].{field}: ")


def test_rule_errors_become_config_errors_with_file_and_line():
    doc = parse_yaml("inhibit_rules:\n  - source_matchers:\n      - 'host'\n", "monitoring.yml")
    with pytest.raises(InhibitRuleError) as caught:
        parse_inhibit_rules(doc.data["inhibit_rules"], ("inhibit_rules",))
    error = doc.error(caught.value.path, caught.value.reason)
    assert str(error).startswith("monitoring.yml:3: inhibit_rules[0].source_matchers[0]: ")


def test_rules_must_be_a_list_of_mappings():
    with pytest.raises(InhibitRuleError, match="expected a list of inhibit rules"):
        parse_inhibit_rules({"source_matchers": ["a=b"]})
    with pytest.raises(InhibitRuleError, match="expected a mapping"):
        parse_inhibit_rules(["a=b"])
