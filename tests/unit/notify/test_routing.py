"""The route tree: defaults, inheritance, matching with `continue`, the seed's routes, errors."""

import pytest

from hub.domain.config import WebhookChannelConfig
from hub.domain.matchers import Matcher, MatchOp
from hub.domain.rules import NotificationTarget, Operator, Rule, Severity
from hub.lib.yamlconf import ConfigError
from hub.notify.routes import resolve_routes
from hub.notify.routing import (
    Route,
    match_routes,
    parse_matcher,
    parse_routes_text,
    seed_routes,
    with_seed_routes,
)

CHANNELS = ("ops", "phone", "web", "dev")

TREE = """
routes:
  channels: [ops]
  group_by: [alertname, host]
  group_wait: 1s
  repeat_interval: 2h
  routes:
    - severity: [critical]
      channels: [phone]
      group_wait: 0s
      continue: true
    - matchers: ['service=~"api|db"', 'env!="test"']
      channels: [web]
      group_interval: 1m
      routes:
        - matchers: ['service="db"']
          channels: [dev]
    - matchers: ['team="web"']
      channels: [web]
"""


def tree():
    return parse_routes_text(TREE, channels=CHANNELS)


def channels_for(root, **labels):
    return [route.channels for route in match_routes(root, labels)]


def test_no_routes_section_sends_everything_to_every_channel_with_the_defaults():
    root = parse_routes_text("alerts: {}\n", channels=CHANNELS)
    assert root.channels == CHANNELS
    assert root.group_by == ("alertname",)
    assert root.group_wait == 2  # fault-to-phone within 10 s
    assert (root.group_interval, root.repeat_interval) == (300, 4 * 3600)
    assert match_routes(root, {"alertname": "cpu_high"}) == [root]


def test_children_inherit_channels_and_group_settings_unless_they_set_them():
    root = tree()
    critical, api, team = root.routes
    assert (critical.group_by, critical.group_wait) == (("alertname", "host"), 0)
    assert (critical.group_interval, critical.repeat_interval) == (300, 7200)
    assert (api.group_wait, api.group_interval, api.channels) == (1, 60, ("web",))
    (db,) = api.routes
    assert (db.channels, db.group_wait, db.group_interval, db.repeat_interval) == (
        ("dev",),
        1,
        60,
        7200,
    )
    assert team.group_interval == 300


def test_behaviour_14_continue_true_delivers_to_both_matching_routes():
    labels = {"severity": "critical", "service": "api"}
    assert channels_for(tree(), **labels) == [("phone",), ("web",)]


def test_behaviour_14_without_continue_only_the_first_matching_route_delivers():
    # service=api matches the second route; the third (team=web) also matches but comes later.
    assert channels_for(tree(), service="api", team="web") == [("web",)]


def test_an_alert_no_child_takes_falls_back_to_the_parent():
    assert channels_for(tree(), alertname="cpu_high") == [("ops",)]
    # env=test fails the second route's matchers: the third is tried, then the root.
    assert channels_for(tree(), service="api", env="test") == [("ops",)]


def test_matching_is_depth_first_and_a_child_without_a_match_leaves_it_to_its_parent():
    assert channels_for(tree(), service="db") == [("dev",)]
    assert channels_for(tree(), service="api") == [("web",)]


def test_severity_shorthand_is_a_severity_matcher():
    root = parse_routes_text(
        "routes:\n  routes:\n    - severity: [warning, critical]\n      channels: [phone]\n",
        channels=CHANNELS,
    )
    assert root.routes[0].matchers == (Matcher("severity", MatchOp.RE, "warning|critical"),)
    assert channels_for(root, severity="warning") == [("phone",)]
    assert channels_for(root, severity="info") == [CHANNELS]


def test_matchers_are_anchored_and_a_missing_label_equals_empty():
    assert parse_matcher('service=~"api"').matches({"service": "api"})
    assert not parse_matcher('service=~"api"').matches({"service": "api-2"})
    assert parse_matcher('env!="test"').matches({})
    assert parse_matcher('host=""').matches({})
    assert parse_matcher("team = web") == Matcher("team", MatchOp.EQ, "web")
    assert parse_matcher(r'msg="say \"hi\""').value == 'say "hi"'


def test_route_keys_follow_the_matcher_path_and_stay_distinct():
    root = tree()
    assert root.key == "{}"
    assert root.routes[0].key == '{}/{severity=~"critical"}'
    assert root.routes[1].routes[0].key == '{}/{service=~"api|db",env!="test"}/{service="db"}'
    twins = parse_routes_text(
        "routes:\n  routes:\n    - matchers: ['a=\"1\"']\n    - matchers: ['a=\"1\"']\n"
    )
    assert [r.key for r in twins.routes] == ['{}/{a="1"}', '{}/{a="1"}#1']
    assert parse_routes_text(TREE, channels=CHANNELS) == root  # same config, same keys


def rule(name, *targets):
    return Rule(
        name,
        "service_health",
        0,
        Operator.LE,
        60,
        Severity.CRITICAL,
        "",
        notifications=tuple(NotificationTarget(t, v) for t, v in targets),
    )


def test_seed_notifications_are_a_continue_route_of_their_own_beside_the_configured_tree():
    channels = {
        name: WebhookChannelConfig(url=f"https://hooks.example/{name}") for name in CHANNELS
    }
    rules = (rule("service_down", ("webhook", "dev")), rule("cpu_high"))
    resolved = resolve_routes(rules, channels)
    root = with_seed_routes(tree(), rules, resolved)
    (seed,) = seed_routes(rules, tree(), resolved)
    assert root.routes[0] == seed
    assert seed.continue_ and seed.channels == ("dev",)
    assert seed.key == '{}/seed{alertname="service_down"}'
    assert seed.group_by == ("alertname", "host")  # the root's group settings
    down = {"alertname": "service_down", "severity": "critical"}
    assert channels_for(root, **down) == [("dev",), ("phone",)]
    # Only the seed route matches: its channels alone, not the root's fallback.
    assert channels_for(root, alertname="service_down", severity="warning") == [("dev",)]
    # A rule without notifications follows the configured tree, as before.
    assert channels_for(root, alertname="cpu_high") == [("ops",)]


def test_a_seed_rule_whose_targets_cannot_be_delivered_notifies_nothing_like_before():
    rules = (rule("service_down", ("slack", "#alerts")),)
    root = with_seed_routes(Route(channels=("ops",)), rules, resolve_routes(rules, {}))
    assert channels_for(root, alertname="service_down") == [()]


@pytest.mark.parametrize(
    ("text", "line", "field", "reason"),
    [
        (
            "routes:\n  routes:\n    - recevier: ops\n",
            3,
            "routes.routes[0].recevier",
            "unknown field",
        ),
        ("routes:\n  group_wait: soon\n", 2, "routes.group_wait", "expected a duration"),
        ("routes:\n  group_interval: 0\n", 2, "routes.group_interval", "more than 0"),
        (
            "routes:\n  routes:\n    - repeat_interval: 0s\n",
            3,
            "routes.routes[0].repeat_interval",
            "more than 0",
        ),
        (
            "routes:\n  routes:\n    - matchers: ['service ~ api']\n",
            3,
            "routes.routes[0].matchers[0]",
            "expected a matcher",
        ),
        (
            "routes:\n  routes:\n    - matchers: ['service=~\"(api\"']\n",
            3,
            "routes.routes[0].matchers[0]",
            "bad regex",
        ),
        (
            "routes:\n  routes:\n    - severity: [urgent]\n",
            3,
            "routes.routes[0].severity[0]",
            "Invalid enum value 'urgent'",
        ),
        ("routes:\n  routes:\n    - severity: []\n", 3, "routes.routes[0].severity", "at least"),
        (
            "routes:\n  routes:\n    - routes:\n        - channels: [pager]\n",
            4,
            "routes.routes[0].routes[0].channels[0]",
            "unknown channel 'pager'",
        ),
        ("routes:\n  channels: ops\n", 2, "routes.channels", "Expected `array"),
        ("routes:\n  group_by: [host, '...']\n", 2, "routes.group_by", "only label"),
        ("routes:\n  matchers: ['a=\"1\"']\n", 2, "routes.matchers", "the root route"),
        ("routes:\n  continue: true\n", 2, "routes.continue", "no siblings"),
        ("routes: [ops]\n", 1, "routes", "Expected `object`"),
    ],
)
def test_invalid_routes_name_file_line_and_field(text, line, field, reason):
    with pytest.raises(ConfigError) as caught:
        parse_routes_text(text, "my/alerts.yml", channels=CHANNELS)
    error = caught.value
    assert (error.file, error.line, error.field) == ("my/alerts.yml", line, field)
    assert reason in error.reason
