"""Channels deliver notifications to people: one module per kind, and a registry."""

from collections.abc import Callable

import httpx

from hub.channels.base import Channel
from hub.channels.webhook import Webhook
from hub.domain.config import ChannelConfig

ChannelFactory = Callable[[ChannelConfig, httpx.AsyncClient], Channel]

CHANNELS: dict[str, ChannelFactory] = {
    "webhook": Webhook,
}
"""Every channel kind by the ``type`` slug used in monitoring.yml."""

__all__ = ["CHANNELS", "Channel"]
