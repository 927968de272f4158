"""Webhook: the Alertmanager webhook v4 JSON (C8), so existing receivers work unchanged.

Format: https://prometheus.io/docs/alerting/latest/configuration/#webhook_config
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from typing import Any, ClassVar

import httpx
import msgspec

from hub.domain.config import WebhookChannelConfig
from hub.domain.notifications import Notification, NotifiedAlert
from hub.lib.http import post_json

# Alertmanager marks a still-open alert's endsAt with Go's zero time.
_ZERO_TIME = "0001-01-01T00:00:00Z"


def _rfc3339(when: datetime | None) -> str:
    if when is None:
        return _ZERO_TIME
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _common(maps: list[dict[str, str]]) -> dict[str, str]:
    first, *rest = maps
    return {k: v for k, v in first.items() if all(m.get(k) == v for m in rest)}


def _alert_json(alert: NotifiedAlert, external_url: str) -> dict[str, Any]:
    return {
        "status": alert.status,
        "labels": alert.labels,
        "annotations": alert.annotations,
        "startsAt": _rfc3339(alert.starts_at),
        "endsAt": _rfc3339(alert.ends_at),
        "generatorURL": f"{external_url}/alerts/{alert.id}",
        "fingerprint": alert.fingerprint,
    }


def webhook_payload(notification: Notification) -> dict[str, Any]:
    """The v4 JSON body for ``notification``."""
    alerts = notification.alerts
    return {
        "version": "4",
        "groupKey": notification.group_key,
        "truncatedAlerts": 0,
        "status": notification.status,
        "receiver": notification.receiver,
        "groupLabels": notification.group_labels,
        "commonLabels": _common([a.labels for a in alerts]),
        "commonAnnotations": _common([a.annotations for a in alerts]),
        "externalURL": notification.external_url,
        "alerts": [_alert_json(a, notification.external_url) for a in alerts],
    }


class Webhook:
    """POSTs v4 JSON to the configured URL with the configured headers, signed when a
    ``hmac_secret`` is set."""

    kind: ClassVar[str] = "webhook"

    def __init__(self, config: WebhookChannelConfig, client: httpx.AsyncClient) -> None:
        self._config = config
        self._client = client
        self.send_resolved = config.send_resolved

    async def send(self, notification: Notification) -> None:
        """Deliver ``notification``; raises DeliveryError when the receiver does not take it."""
        body = msgspec.json.encode(webhook_payload(notification))
        headers = dict(self._config.headers)
        if self._config.hmac_secret:
            headers[self._config.hmac_header] = signature(self._config.hmac_secret, body)
        await post_json(
            self._client,
            self._config.url,
            body,
            headers=headers,
            seconds=float(self._config.timeout),
        )


def signature(secret: str, body: bytes) -> str:
    """``sha256=<hex>``: the HMAC-SHA256 of ``body`` under ``secret`` (GitHub's form), which
    a receiver recomputes over the raw body to know the hub sent it."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
