"""How notifications read: titles, colours, limits of each channel's payload (no network)."""

from datetime import UTC, datetime

import pytest

from hub.channels import present
from hub.channels.discord import discord_payload
from hub.channels.email import email_message
from hub.channels.slack import MAX_ALERTS, slack_payload
from hub.domain.config import DiscordChannelConfig, EmailChannelConfig, SlackChannelConfig
from hub.domain.notifications import Notification, NotifiedAlert
from hub.notify.health import ChannelHealth, failing_notice
from hub.notify.outbox import trial_notification

T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def alert(n, status="firing", severity="warning", **labels):
    return NotifiedAlert(
        id=n,
        status=status,
        labels={"alertname": "cpu_high", "severity": severity, **labels},
        annotations={},
        starts_at=T0,
        ends_at=None,
        fingerprint=str(n),
    )


def note(*alerts, status="firing", group_labels=None):
    return Notification(
        "ops",
        status,
        "k",
        {"alertname": "cpu_high", "service": "api"} if group_labels is None else group_labels,
        alerts,
        "https://hub.example",
    )


def test_title_counts_firing_alerts_and_names_the_group():
    n = note(alert(1), alert(2), alert(3, status="resolved"))
    assert present.title(n) == "[FIRING:2] cpu_high api"
    assert present.title(note(alert(1, status="resolved"), status="resolved")) == (
        "[RESOLVED:1] cpu_high api"
    )


def test_title_without_group_labels_uses_the_alert_names():
    n = note(alert(1), alert(2), group_labels={})
    assert present.title(n) == "[FIRING:2] cpu_high"


@pytest.mark.parametrize(
    ("severities", "colour"),
    [(["info"], 0x1F77B4), (["info", "warning"], 0xFF9F1C), (["warning", "critical"], 0xD62728)],
)
def test_colour_is_the_worst_firing_severity(severities, colour):
    n = note(*(alert(i, severity=s) for i, s in enumerate(severities)))
    assert present.colour(n) == colour


def test_summary_falls_back_to_the_alert_name_and_shows_no_value_when_none():
    assert present.summary(alert(1)) == "cpu_high"


def test_slack_shows_ten_alerts_then_says_how_many_more():
    payload = slack_payload(note(*(alert(i) for i in range(25))), SlackChannelConfig(url="x"))
    blocks = payload["attachments"][0]["blocks"]
    assert sum(b["type"] == "section" for b in blocks) == MAX_ALERTS
    assert blocks[-1] == {
        "type": "context",
        "elements": [{"type": "plain_text", "text": "and 15 more"}],
    }


def test_discord_short_message_is_not_truncated():
    payload = discord_payload(note(alert(1, host="db1")), DiscordChannelConfig(url="x"))
    (embed,) = payload["embeds"]
    assert embed["description"].endswith(
        "host=db1 · [acknowledge](https://hub.example/alerts/1?ack=1)"
    )
    assert "username" not in payload


def test_email_escapes_html_in_labels():
    message = email_message(
        note(alert(1, host="<b>x</b>")), EmailChannelConfig(to="a@b.c", sender="h@ex.org")
    )
    html = message.get_body(("html",)).get_content()
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html


def test_failing_notice_fires_then_resolves():
    health = ChannelHealth(True, T0, "receiver answered HTTP 404")
    fired = failing_notice("ops", "backup", health, "https://hub.example", T0, resolved=False)
    back = failing_notice("ops", "backup", health, "https://hub.example", T0, resolved=True)
    assert present.title(fired) == "[FIRING:1] notification_channel_failing ops"
    assert fired.alerts[0].annotations["summary"].endswith("receiver answered HTTP 404")
    assert back.status == "resolved" and back.alerts[0].ends_at == T0
    assert fired.alerts[0].fingerprint == back.alerts[0].fingerprint


def test_trial_notification_says_it_is_a_test():
    n = trial_notification("ops", "https://hub.example", T0)
    assert present.title(n) == "[FIRING:1] tcf_hub_test"
    assert present.colour(n) == 0x1F77B4
