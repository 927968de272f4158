"""Discord: a webhook message with one embed, coloured by severity.

Format and limits: https://discord.com/developers/docs/resources/webhook#execute-webhook and
https://discord.com/developers/docs/resources/message#embed-object-embed-limits (content 2000,
embed title 256, description 4096, all embed text together 6000 characters).
"""

from __future__ import annotations

from typing import Any, ClassVar

from hub.channels import present
from hub.channels.chat import ChatWebhook
from hub.domain.config import DiscordChannelConfig
from hub.domain.notifications import Notification

CONTENT_LIMIT = 2000
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096


def discord_payload(notification: Notification, config: DiscordChannelConfig) -> dict[str, Any]:
    """The execute-webhook body for ``notification``."""
    title = present.title(notification)
    lines = []
    for alert in notification.alerts:
        mark = "🔴" if alert.status == "firing" else "✅"
        url = present.alert_url(notification, alert)
        line = f"{mark} [{present.summary(alert)}]({url})"
        if labels := present.labels_text(alert):
            line += f" — {labels}"
        if alert.status == "firing":
            line += f" · [acknowledge]({present.ack_url(notification, alert)})"
        lines.append(line)
    embed = {
        "title": present.truncate(title, TITLE_LIMIT),
        "description": present.truncate("\n".join(lines), DESCRIPTION_LIMIT),
        "color": present.colour(notification),
        "url": present.alert_url(notification, notification.alerts[0]),
    }
    payload: dict[str, Any] = {
        "content": present.truncate(title, CONTENT_LIMIT),
        "embeds": [embed],
        # nobody is pinged by text in an alert (an @everyone in a label, say)
        "allowed_mentions": {"parse": []},
    }
    if config.username:
        payload["username"] = config.username
    return payload


class Discord(ChatWebhook[DiscordChannelConfig]):
    """Posts to a Discord webhook."""

    kind: ClassVar[str] = "discord"

    def payload(self, notification: Notification) -> dict[str, Any]:
        """The Discord message for ``notification``."""
        return discord_payload(notification, self._config)
