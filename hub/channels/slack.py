"""Slack: an incoming webhook posting a Block Kit message with a severity colour bar.

Format: https://api.slack.com/messaging/webhooks and https://api.slack.com/block-kit.
Blocks sit inside a legacy attachment because only attachments carry a colour bar.
"""

from __future__ import annotations

from typing import Any, ClassVar

from hub.channels import present
from hub.channels.chat import ChatWebhook
from hub.domain.config import SlackChannelConfig
from hub.domain.notifications import Notification, NotifiedAlert

MAX_ALERTS = 10
"""Alerts shown one by one; Slack allows 50 blocks a message, and people read fewer."""
TEXT_LIMIT = 3000
"""Characters of a section's text, Slack's limit."""


def _alert_blocks(notification: Notification, alert: NotifiedAlert) -> list[dict[str, Any]]:
    url = present.alert_url(notification, alert)
    mark = ":red_circle:" if alert.status == "firing" else ":white_check_mark:"
    text = f"{mark} *<{url}|{present.summary(alert)}>*"
    if labels := present.labels_text(alert):
        text += f"\n{labels}"
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": present.truncate(text, TEXT_LIMIT)}}
    ]
    if alert.status == "firing":
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {"type": "button", "text": _plain("View"), "url": url},
                    {
                        "type": "button",
                        "text": _plain("Acknowledge"),
                        "url": present.ack_url(notification, alert),
                        "style": "primary",
                    },
                ],
            }
        )
    return blocks


def _plain(text: str) -> dict[str, str]:
    return {"type": "plain_text", "text": text}


def slack_payload(notification: Notification, config: SlackChannelConfig) -> dict[str, Any]:
    """The incoming-webhook body for ``notification``."""
    title = present.title(notification)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": _plain(present.truncate(title, 150))}
    ]
    for alert in notification.alerts[:MAX_ALERTS]:
        blocks += _alert_blocks(notification, alert)
    if (more := len(notification.alerts) - MAX_ALERTS) > 0:
        blocks.append({"type": "context", "elements": [_plain(f"and {more} more")]})
    payload: dict[str, Any] = {
        "text": title,  # the push notification and screen-reader text
        "attachments": [{"color": f"#{present.colour(notification):06x}", "blocks": blocks}],
    }
    if config.channel:
        payload["channel"] = config.channel
    if config.username:
        payload["username"] = config.username
    return payload


class Slack(ChatWebhook[SlackChannelConfig]):
    """Posts to a Slack incoming webhook."""

    kind: ClassVar[str] = "slack"

    def payload(self, notification: Notification) -> dict[str, Any]:
        """The Slack message for ``notification``."""
        return slack_payload(notification, self._config)
