"""monitoring.yml: the webpush channel type (C6)."""

import pytest

from hub.domain.config import WebPushChannelConfig
from hub.lib.yamlconf import ConfigError
from tests.unit.test_settings import monitoring


def test_a_webpush_channel_needs_no_fields_and_takes_durations():
    config = monitoring(
        "channels:\n  phones: {type: webpush}\n"
        "  oncall:\n    type: webpush\n    subject: https://ops.example\n    ttl: 1h\n"
        "    ack_token_ttl: 30m\n    send_resolved: false\n"
    )
    assert config.channels["phones"] == WebPushChannelConfig()
    assert config.channels["oncall"] == WebPushChannelConfig(
        subject="https://ops.example", ttl=3600, ack_token_ttl=1800, send_resolved=False
    )


@pytest.mark.parametrize(
    ("text", "line", "field", "reason"),
    [
        (
            "channels:\n  p:\n    type: webpush\n    subject: ops@example.com\n",
            4,
            "channels.p.subject",
            "mailto: or https://",
        ),
        (
            "channels:\n  p:\n    type: webpush\n    url: https://x\n",
            4,
            "channels.p.url",
            "unknown field",
        ),
        ("channels:\n  p:\n    type: webpush\n    ttl: soon\n", 4, "channels.p.ttl", "duration"),
    ],
)
def test_a_bad_webpush_channel_names_line_and_field(text, line, field, reason):
    with pytest.raises(ConfigError) as caught:
        monitoring(text)
    assert (caught.value.line, caught.value.field) == (line, field)
    assert reason in caught.value.reason
