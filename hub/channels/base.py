"""The channel contract."""

from __future__ import annotations

from typing import ClassVar, Protocol

from hub.domain.notifications import Notification
from hub.lib.http import DeliveryError

__all__ = ["Channel", "DeliveryError"]


class Channel(Protocol):
    """Delivers notifications of one kind to one destination.

    ``send`` returns when the destination accepted the notification and raises
    ``DeliveryError(message, permanent=...)`` otherwise; the message never contains secrets.
    """

    kind: ClassVar[str]
    send_resolved: bool

    async def send(self, notification: Notification) -> None:
        """Deliver ``notification``."""
        ...
