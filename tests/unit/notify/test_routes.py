"""Which channels a rule notifies (C6 notification targets)."""

from hub.domain.config import EmailChannelConfig, SlackChannelConfig, WebhookChannelConfig
from hub.domain.rules import NotificationTarget, Operator, Rule, Severity
from hub.notify.routes import resolve_routes

OPS = WebhookChannelConfig(url="https://hooks.example/ops")


def rule(name, *targets):
    return Rule(
        name,
        "cpu_usage",
        1,
        Operator.GT,
        0,
        Severity.WARNING,
        "",
        notifications=tuple(NotificationTarget(t, v) for t, v in targets),
    )


def test_rule_without_notifications_goes_to_every_configured_channel():
    routes = resolve_routes((rule("a"),), {"ops": OPS, "dev": OPS})
    assert routes.for_rule("a") == ("ops", "dev")
    assert routes.warnings == ()


def test_target_naming_a_channel_uses_it():
    routes = resolve_routes((rule("a", ("webhook", "ops")),), {"ops": OPS, "dev": OPS})
    assert routes.for_rule("a") == ("ops",)


def test_webhook_url_target_becomes_a_channel_whose_name_hides_the_url():
    url = "https://hooks.example/secret-path"
    routes = resolve_routes((rule("a", ("webhook", url)),), {})
    (name,) = routes.for_rule("a")
    assert "secret" not in name and "hooks" not in name
    assert routes.channels[name] == WebhookChannelConfig(url=url)


def test_seed_addresses_without_a_channel_of_their_type_are_reported_not_dropped():
    routes = resolve_routes((rule("down", ("slack", "#alerts"), ("email", "ops@x.io")),), {})
    assert routes.for_rule("down") == ()
    assert len(routes.warnings) == 2
    assert "needs a slack channel in monitoring.yml" in routes.warnings[0]
    assert "rule down" in routes.warnings[0]
    assert "needs a email channel" in routes.warnings[1]


def test_seed_slack_and_email_targets_go_through_the_configured_channel_of_their_type():
    slack = SlackChannelConfig(url="https://hooks.slack.example/T/B/x")
    mail = EmailChannelConfig(to="someone@x.io", smarthost="mx.x.io:587")
    routes = resolve_routes(
        (rule("down", ("slack", "#alerts"), ("email", "ops@x.io")),),
        {"ops": OPS, "chat": slack, "mail": mail},
    )
    assert routes.warnings == ()
    assert routes.for_rule("down") == ("chat:#alerts", "mail:ops@x.io")
    assert routes.channels["chat:#alerts"] == SlackChannelConfig(url=slack.url, channel="#alerts")
    assert routes.channels["mail:ops@x.io"].recipients == ("ops@x.io",)
    assert routes.channels["mail:ops@x.io"].smarthost == "mx.x.io:587"


def test_unknown_names_and_type_mismatches_are_reported():
    routes = resolve_routes((rule("a", ("webhook", "nope")),), {"ops": OPS})
    assert "no channel of that name" in routes.warnings[0]
    routes = resolve_routes((rule("a", ("slack", "ops")),), {"ops": OPS})
    assert "is of type webhook" in routes.warnings[0]


def test_unknown_rule_has_no_channels():
    assert resolve_routes((), {"ops": OPS}).for_rule("ghost") == ()
