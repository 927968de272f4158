"""Web Push (C9): one encrypted push per alert to every subscribed device.

Protocol: RFC 8030 (push), RFC 8291 (aes128gcm encryption), RFC 8292 (VAPID). pywebpush is
synchronous (requests), so each push runs in a thread.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import ClassVar
from urllib.parse import urlsplit

from hub.domain.config import WebPushChannelConfig
from hub.domain.notifications import Notification, NotifiedAlert
from hub.domain.push import PushPayload, PushSubscription, encode_payload, topic
from hub.lib.clock import Clock
from hub.lib.http import DeliveryError
from hub.lib.secrets import new_token, token_hash
from hub.lib.vapid import VapidKeys
from hub.store import Store

log = logging.getLogger(__name__)


class Outcome(enum.Enum):
    """What one push to one device came to."""

    SENT = "sent"
    GONE = "gone"
    """404/410: the browser unsubscribed or the subscription expired; it is removed."""
    RETRY = "retry"
    FAILED = "failed"


@dataclass(frozen=True)
class PushKit:
    """What every webpush channel shares: the store (devices, ack tokens), the VAPID keys,
    the clock, and the hub's URL for links."""

    store: Store
    vapid: VapidKeys
    clock: Clock
    external_url: str


def push_payload(alert: NotifiedAlert, external_url: str, ack_token: str | None) -> PushPayload:
    """The C9 payload telling ``alert`` (firing or resolved)."""
    name = alert.labels.get("alertname", "alert")
    where = alert.labels.get("service") or alert.labels.get("container") or alert.labels.get("host")
    title = f"[{alert.status.upper()}] {name}" + (f" {where}" if where else "")
    body = alert.annotations.get("summary") or alert.annotations.get("message") or ""
    return PushPayload(
        id=alert.id,
        title=title,
        body=body,
        severity=alert.labels.get("severity", "warning"),
        url=f"{external_url}/alerts/{alert.id}",
        ack_token=ack_token,
        status=alert.status,
        topic=topic(alert.fingerprint),
    )


def classify(status: int | None) -> Outcome:
    """A push service's answer: 2xx sent; 404/410 gone; 429, 5xx and no answer retried."""
    if status is None or status == 429 or status >= 500:
        return Outcome.RETRY
    if status in (404, 410):
        return Outcome.GONE
    return Outcome.SENT if 200 <= status < 300 else Outcome.FAILED


class WebPush:
    """Pushes each alert of a notification to every subscribed device."""

    kind: ClassVar[str] = "webpush"

    def __init__(self, config: WebPushChannelConfig, kit: PushKit) -> None:
        self._config = config
        self._kit = kit
        self.send_resolved = config.send_resolved

    async def send(self, notification: Notification) -> None:
        """Push to every device; raises DeliveryError when no device took it, or (retryable)
        when a push service should be asked again."""
        kit = self._kit
        now = kit.clock.now()
        expires = now + timedelta(seconds=float(self._config.ack_token_ttl))
        messages: list[tuple[PushSubscription, NotifiedAlert, bytes]] = []
        async with kit.store.tx() as tx:
            await tx.push.prune_ack_tokens(now)  # tokens are made here, so forgotten here too
            devices = await tx.push.all()
            for device in devices:
                for alert in notification.alerts:
                    token = None
                    if alert.status == "firing":
                        token = new_token()
                        hashed = token_hash(token)
                        await tx.push.add_ack_token(hashed, alert.id, device.name, expires)
                    payload = push_payload(alert, notification.external_url, token)
                    messages.append((device, alert, encode_payload(payload)))
        if not devices:
            raise DeliveryError("no device has push enabled", permanent=True)
        outcomes = await asyncio.gather(
            *(asyncio.to_thread(self._push, *message) for message in messages)
        )
        await self._record(messages, outcomes)

    async def _record(
        self,
        messages: list[tuple[PushSubscription, NotifiedAlert, bytes]],
        outcomes: list[tuple[Outcome, str]],
    ) -> None:
        now = self._kit.clock.now()
        by_device: dict[int, list[Outcome]] = {}
        errors: list[str] = []
        async with self._kit.store.tx() as tx:
            for (device, _, _), (outcome, error) in zip(messages, outcomes, strict=True):
                by_device.setdefault(device.id, []).append(outcome)
                if error:
                    errors.append(f"{device.name}: {error}")
            for device_id, results in by_device.items():
                if Outcome.GONE in results:
                    await tx.push.delete(device_id)
                elif all(r is Outcome.SENT for r in results):
                    await tx.push.delivered(device_id, now)
        flat = [outcome for outcome, _ in outcomes]
        if Outcome.RETRY in flat:
            raise DeliveryError("; ".join(errors), permanent=False)
        if Outcome.SENT not in flat:
            raise DeliveryError("; ".join(errors) or "no device took the push", permanent=True)

    def _push(
        self, device: PushSubscription, alert: NotifiedAlert, data: bytes
    ) -> tuple[Outcome, str]:
        """One push (in a thread): the outcome and, unless sent, why (never the endpoint,
        which is a capability URL)."""
        endpoint = urlsplit(device.endpoint)
        # A fresh claims dict per push: pywebpush fills in exp by mutating it. exp is left to
        # pywebpush (wall clock + 12 h), not the injected clock: the push service checks it
        # against its own real time (RFC 8292 §2).
        claims: dict[str, str | int] = {
            "sub": self._config.subject,
            "aud": f"{endpoint.scheme}://{endpoint.netloc}",
        }
        headers: dict[str, str | int | float] = {"Topic": topic(alert.fingerprint)}
        headers["Urgency"] = "high" if alert.labels.get("severity") == "critical" else "normal"
        # pywebpush pulls in aiohttp and requests (over a second of start-up): imported at the
        # first push, not with the channel registry.
        import requests
        from pywebpush import WebPushException, webpush

        try:
            webpush(
                device.info(),
                data=data.decode(),
                vapid_private_key=self._kit.vapid.vapid,
                vapid_claims=claims,
                ttl=int(self._config.ttl),
                timeout=float(self._config.timeout),
                headers=headers,
            )
        except WebPushException as exc:
            status = exc.response.status_code if exc.response is not None else None
            outcome = classify(status)
            reason = "subscription gone" if outcome is Outcome.GONE else "push service answered"
            return outcome, f"{reason} (HTTP {status})"
        except requests.Timeout:
            return Outcome.RETRY, f"timed out after {float(self._config.timeout):g}s"
        except requests.RequestException as exc:
            return Outcome.RETRY, f"connection failed: {type(exc).__name__}"
        return Outcome.SENT, ""
