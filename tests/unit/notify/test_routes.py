"""Which channels a rule notifies (C6 notification targets)."""

from hub.domain.config import WebhookChannelConfig
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


def test_unavailable_channel_types_are_reported_not_silently_dropped():
    routes = resolve_routes((rule("down", ("slack", "#alerts"), ("email", "ops@x.io")),), {})
    assert routes.for_rule("down") == ()
    assert len(routes.warnings) == 2
    assert "slack delivery is not available" in routes.warnings[0]
    assert "rule down" in routes.warnings[0]


def test_unknown_names_and_type_mismatches_are_reported():
    routes = resolve_routes((rule("a", ("webhook", "nope")),), {"ops": OPS})
    assert "no channel of that name" in routes.warnings[0]
    routes = resolve_routes((rule("a", ("slack", "ops")),), {"ops": OPS})
    assert "is of type webhook" in routes.warnings[0]


def test_unknown_rule_has_no_channels():
    assert resolve_routes((), {"ops": OPS}).for_rule("ghost") == ()
