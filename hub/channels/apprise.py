"""Apprise: any of the 100+ services Apprise knows (Telegram, ntfy, Gotify, Pushover, Teams …).

Optional: install the ``apprise`` extra. Apprise is synchronous and makes its own requests, so
it runs in a worker thread and is the one channel not going through ``hub.lib.http``. It reports
only success or failure, not why, so every failure is worth a retry until the outbox's max age;
a URL it cannot read is permanent. https://github.com/caronc/apprise/wiki
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import warnings
from typing import Any, ClassVar

import httpx

from hub.channels import present
from hub.domain.config import AppriseChannelConfig
from hub.domain.notifications import Notification
from hub.lib.http import DeliveryError


def apprise_body(notification: Notification) -> str:
    """One line per alert: status, summary, labels and a link."""
    lines = []
    for alert in notification.alerts:
        labels = present.labels_text(alert)
        line = f"{alert.status.upper()}: {present.summary(alert)}"
        lines.append(f"{line} [{labels}]" if labels else line)
        lines.append(present.alert_url(notification, alert))
    return "\n".join(lines)


def _drop(record: logging.LogRecord) -> bool:
    return False


def _drop_debug(record: logging.LogRecord) -> bool:
    return record.levelno > logging.DEBUG


class Apprise:
    """Notifies one Apprise URL."""

    kind: ClassVar[str] = "apprise"

    def __init__(
        self, config: AppriseChannelConfig, client: httpx.AsyncClient | None = None
    ) -> None:
        self._config = config
        self.send_resolved = config.send_resolved
        # Apprise logs service URLs (tokens included) even at INFO; the outcome is reported
        # by DeliveryError instead, so its own log is dropped (adding it again is a no-op)
        logging.getLogger("apprise").addFilter(_drop)
        # and urllib3 (under requests) logs each request line with its path at DEBUG
        logging.getLogger("urllib3.connectionpool").addFilter(_drop_debug)

    async def send(self, notification: Notification) -> None:
        """Deliver ``notification``; raises DeliveryError when Apprise reports a failure."""
        await asyncio.to_thread(self._quietly, notification)

    def _quietly(self, notification: Notification) -> None:
        # Apprise loads its plugins on first use, one of which imports the deprecated imghdr
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            self._send(notification)

    def _send(self, notification: Notification) -> None:
        try:
            apprise: Any = importlib.import_module("apprise")
        except ImportError:
            raise DeliveryError(
                "apprise is not installed (install tcf-hub[apprise])", permanent=True
            ) from None
        notifier = apprise.Apprise()
        if not notifier.add(self._config.url):
            raise DeliveryError("apprise cannot read the channel's URL", permanent=True)
        firing = notification.status == "firing"
        result = notifier.notify(
            body=apprise_body(notification),
            title=present.title(notification),
            notify_type=apprise.NotifyType.FAILURE if firing else apprise.NotifyType.SUCCESS,
            timeout=float(self._config.timeout),
        )
        if result:
            return
        if getattr(result, "timeout_count", 0):
            raise DeliveryError(f"timed out after {self._config.timeout:g}s", permanent=False)
        raise DeliveryError("apprise reported a failed notification", permanent=False)
