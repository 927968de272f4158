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
from hub.channels.webpush import PushKit, WebPush
from hub.domain.config import ChannelConfig, WebPushChannelConfig, channel_type

ChannelFactory = Callable[..., Channel]
"""Builds a channel from its config (the struct of its ``type``) and what it sends through."""

CHANNELS: dict[str, ChannelFactory] = {
    "webhook": Webhook,
    "slack": Slack,
    "discord": Discord,
    "email": Email,
    "apprise": Apprise,
    "webpush": WebPush,
}
"""Every channel kind by the ``type`` slug used in monitoring.yml."""


def build_channel(config: ChannelConfig, client: httpx.AsyncClient, push: PushKit) -> Channel:
    """The channel for ``config``: built from the config and the shared HTTP client, except
    web push, which sends through pywebpush with the hub's VAPID keys and devices (``push``)."""
    factory = CHANNELS[channel_type(config)]
    args: tuple[Any, ...] = (push,) if isinstance(config, WebPushChannelConfig) else (client,)
    return factory(config, *args)


__all__ = ["CHANNELS", "Channel", "PushKit", "build_channel"]
