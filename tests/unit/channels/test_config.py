"""Channel configs decode from monitoring.yml by ``type`` with Alertmanager's defaults."""

from hub.domain.config import (
    AppriseChannelConfig,
    DiscordChannelConfig,
    EmailChannelConfig,
    SlackChannelConfig,
    WebhookChannelConfig,
)
from hub.lib.yamlconf import parse_yaml
from hub.settings import parse_monitoring

TEXT = """
notify:
  max_age: 2h
  max_per_minute: 50
channels:
  hook: {type: webhook, url: "https://h.example/x", hmac_secret: k}
  chat: {type: slack, url: "https://hooks.slack.com/services/T/B/x", channel: "#ops"}
  disc: {type: discord, url: "https://discord.com/api/webhooks/1/x"}
  mail:
    type: email
    to: [ops@example.com, dev@example.com]
    from: hub@example.com
    smarthost: smtp.example.com:465
    tls: tls
    username: hub
    password: pw
  phone: {type: apprise, url: "ntfys://ntfy.example/alerts", max_per_minute: 5}
"""


def test_each_type_decodes_to_its_struct_with_alertmanagers_send_resolved_default():
    config = parse_monitoring(parse_yaml(TEXT, "monitoring.yml"))
    channels = config.channels
    assert isinstance(channels["hook"], WebhookChannelConfig) and channels["hook"].send_resolved
    assert channels["hook"].hmac_header == "X-Hub-Signature-256"
    assert isinstance(channels["chat"], SlackChannelConfig)
    assert channels["chat"].send_resolved is False
    assert isinstance(channels["disc"], DiscordChannelConfig) and channels["disc"].send_resolved
    mail = channels["mail"]
    assert isinstance(mail, EmailChannelConfig) and mail.send_resolved is False
    assert mail.sender == "hub@example.com"
    assert mail.recipients == ("ops@example.com", "dev@example.com")
    assert isinstance(channels["phone"], AppriseChannelConfig)
    assert channels["phone"].max_per_minute == 5
    assert config.notify.max_age == 7200 and config.notify.max_per_minute == 50
