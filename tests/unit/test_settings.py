"""monitoring.yml decoding, defaults, and overrides (C2, C6)."""

import pytest

from hub.domain.config import MonitoringConfig, WebhookChannelConfig
from hub.lib.yamlconf import ConfigError, parse_yaml
from hub.settings import builtin_config_dir, load_settings, parse_monitoring


def monitoring(text, file="monitoring.yml"):
    return parse_monitoring(parse_yaml(text, file))


def test_shipped_monitoring_yml_equals_the_built_in_defaults():
    shipped = load_settings(builtin_config_dir(), None).monitoring
    assert shipped == MonitoringConfig()


def test_missing_files_fall_back_to_built_in_defaults_and_seed_rules(tmp_path):
    settings = load_settings(tmp_path / "empty", tmp_path / "data")
    assert settings.port == 3001
    assert settings.host == "127.0.0.1"
    assert {r.name for r in settings.rules} == {
        "cpu_high",
        "memory_critical",
        "service_down",
        "hub_job_overdue",
        "hub_outbox_backlog",
    }
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path / 'data' / 'hub.db'}"
    assert settings.external_url == "http://127.0.0.1:3001"


def test_flags_override_the_file(tmp_path):
    (tmp_path / "monitoring.yml").write_text("hub: {host: 0.0.0.0, port: 4000}\n")
    settings = load_settings(tmp_path, tmp_path / "d", host="127.0.0.2", port=5000)
    assert (settings.host, settings.port) == ("127.0.0.2", 5000)
    from_file = load_settings(tmp_path, tmp_path / "d")
    assert (from_file.host, from_file.port) == ("0.0.0.0", 4000)
    assert from_file.external_url == "http://127.0.0.1:4000"


def test_channels_services_and_durations_decode():
    config = monitoring(
        "collection: {interval: 5s}\n"
        "services:\n  api: {url: 'http://127.0.0.1:8080/health', interval: 1m}\n"
        "channels:\n  ops:\n    type: webhook\n    url: https://hooks.example/x\n"
        "    headers: {X-Token: abc}\n    send_resolved: false\n"
        "retention: {raw: 7d}\nhub: {external_url: 'https://hub.example/'}\n"
    )
    assert config.collection.interval == 5
    assert config.services["api"].interval == 60
    assert config.channels["ops"] == WebhookChannelConfig(
        url="https://hooks.example/x", headers={"X-Token": "abc"}, send_resolved=False
    )
    assert config.retention.raw == 7 * 86400


def test_idle_connections_are_kept_longer_than_agents_push_and_proxies_keep_them():
    assert monitoring("").hub.keep_alive == 75  # agents push every 10 s; nginx, ALB keep 60 s
    assert monitoring("hub: {keep_alive: 2m}\n").hub.keep_alive == 120


@pytest.mark.parametrize(
    ("text", "line", "field", "reason"),
    [
        ("hub:\n  port: eighty\n", 2, "hub.port", "Expected `int`"),
        ("hub:\n  port: 70000\n", 2, "hub.port", "1-65535"),
        ("hub:\n  colour: blue\n", 2, "hub.colour", "unknown field"),
        ("collection:\n  interval: 0\n", 2, "collection.interval", "at least 1 second"),
        ("hub:\n  keep_alive: 0.5\n", 2, "hub.keep_alive", "at least 1 second"),
        ("channels:\n  ops:\n    type: pager\n", 3, "channels.ops.type", "expected one of"),
        (
            "channels:\n  ops:\n    type: webpush\n    subject: ops@x.io\n",
            4,
            "channels.ops.subject",
            "mailto: or https://",
        ),
        (
            "channels:\n  ops:\n    type: slack\n    url: x\n",
            4,
            "channels.ops.url",
            "http:// or https://",
        ),
        (
            "channels:\n  m:\n    type: email\n    to: nobody\n",
            4,
            "channels.m.to",
            "email addresses",
        ),
        (
            "channels:\n  m:\n    type: email\n    to: a@b.c\n    smarthost: mx\n",
            5,
            "channels.m.smarthost",
            "host:port",
        ),
        (
            "channels:\n  m:\n    type: email\n    to: a@b.c\n    tls: maybe\n",
            5,
            "channels.m.tls",
            "Invalid enum value",
        ),
        (
            "channels:\n  a:\n    type: apprise\n    url: nothing\n",
            4,
            "channels.a.url",
            "Apprise URL",
        ),
        (
            "channels:\n  d:\n    type: discord\n    url: https://d.x\n    max_per_minute: -1\n",
            5,
            "channels.d.max_per_minute",
            "0 (no limit) or more",
        ),
        (
            "channels:\n  d:\n    type: discord\n    url: https://d.x\n    timeout: 0\n",
            5,
            "channels.d.timeout",
            "more than 0",
        ),
        (
            "channels:\n  ops:\n    type: webhook\n",
            2,
            "channels.ops",
            "missing required field `url`",
        ),
        (
            "channels:\n  ops:\n    type: webhook\n    url: ftp://x\n",
            4,
            "channels.ops.url",
            "http:// or https://",
        ),
        (
            "channels:\n  ops:\n    type: webhook\n    url: http://x\n    timeout: never\n",
            5,
            "channels.ops.timeout",
            "expected a duration",
        ),
        (
            "services:\n  api:\n    interval: 5s\n",
            2,
            "services.api",
            "missing required field `url`",
        ),
        ("services: [a]\n", 1, "services", "expected a mapping"),
        ("- a\n", 1, "", "expected a mapping"),
    ],
)
def test_bad_monitoring_yml_names_file_line_and_field(text, line, field, reason):
    with pytest.raises(ConfigError) as caught:
        monitoring(text, "conf/monitoring.yml")
    assert (caught.value.file, caught.value.line, caught.value.field) == (
        "conf/monitoring.yml",
        line,
        field,
    )
    assert reason in caught.value.reason
