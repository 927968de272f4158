"""The shape Slack and Discord share: one JSON message per notification posted to a webhook."""

from __future__ import annotations

from typing import Any, ClassVar, Generic, TypeVar

import httpx
import msgspec

from hub.domain.config import DiscordChannelConfig, SlackChannelConfig
from hub.domain.notifications import Notification
from hub.lib.http import post_json

C = TypeVar("C", SlackChannelConfig, DiscordChannelConfig)


class ChatWebhook(Generic[C]):
    """Posts ``payload(notification)`` to the configured webhook URL; subclasses give ``kind``
    and the payload (the vendor's format). Raises DeliveryError as ``post_json`` classifies."""

    kind: ClassVar[str]

    def __init__(self, config: C, client: httpx.AsyncClient) -> None:
        self._config: C = config
        self._client = client
        self.send_resolved = config.send_resolved

    def payload(self, notification: Notification) -> dict[str, Any]:
        """The vendor's JSON message for ``notification``."""
        raise NotImplementedError

    async def send(self, notification: Notification) -> None:
        """Deliver ``notification``; raises DeliveryError when the webhook does not take it."""
        await post_json(
            self._client,
            self._config.url,
            msgspec.json.encode(self.payload(notification)),
            seconds=float(self._config.timeout),
        )
