"""Channels deliver notifications to people: one module per kind, and a registry."""

from collections.abc import Callable
from typing import Any

import httpx

from hub.channels.apprise import Apprise
from hub.channels.base import Channel
from hub.channels.discord import Discord
from hub.channels.email import Email
from hub.channels.slack import Slack
from hub.channels.webhook import Webhook

ChannelFactory = Callable[[Any, httpx.AsyncClient], Channel]
"""Builds a channel from its config (the struct of its ``type``) and the shared HTTP client."""

CHANNELS: dict[str, ChannelFactory] = {
    "webhook": Webhook,
    "slack": Slack,
    "discord": Discord,
    "email": Email,
    "apprise": Apprise,
}
"""Every channel kind by the ``type`` slug used in monitoring.yml."""

__all__ = ["CHANNELS", "Channel"]
