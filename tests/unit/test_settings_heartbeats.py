"""heartbeats.<name>.{period, grace} in monitoring.yml."""

import pytest

from hub.lib.yamlconf import ConfigError, parse_yaml
from hub.settings import parse_monitoring


def parse(text):
    return parse_monitoring(parse_yaml(text, "monitoring.yml"))


def test_heartbeats_parse_with_durations_and_a_default_grace():
    config = parse("heartbeats:\n  backup: {period: 1d, grace: 2h}\n  cron:\n    period: 5m\n")
    assert (config.heartbeats["backup"].period, config.heartbeats["backup"].grace) == (
        86400.0,
        7200.0,
    )
    assert config.heartbeats["cron"].grace == 300.0


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("heartbeats:\n  backup: {grace: 1h}\n", "monitoring.yml:2: heartbeats.backup"),
        ("heartbeats:\n  backup: {period: 0}\n", "monitoring.yml:2: heartbeats.backup.period"),
        (
            "heartbeats:\n  backup:\n    period: 1h\n    every: 2h\n",
            "monitoring.yml:4: heartbeats.backup.every: unknown field",
        ),
        ("heartbeats:\n  'bad name': {period: 1h}\n", "heartbeats.bad name: heartbeat names"),
        ("heartbeats: [1]\n", "heartbeats: expected a mapping"),
    ],
)
def test_bad_heartbeats_name_file_line_and_field(text, where):
    with pytest.raises(ConfigError) as caught:
        parse(text)
    assert where in str(caught.value)
