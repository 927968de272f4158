"""Web Push (C9): subscriptions of devices, the payload a push carries, and its headers."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from datetime import datetime
from urllib.parse import urlsplit

import msgspec

MAX_PAYLOAD = 3993
"""Largest plaintext a push message may carry (4096 bytes on the wire after aes128gcm)."""
MAX_NAME = 100
MAX_ENDPOINT = 2000
_TOPIC = re.compile(r"[A-Za-z0-9_-]")
"""Topic header characters: the URL- and filename-safe base64 alphabet (RFC 8030 §5.4)."""


class PushSubscriptionError(ValueError):
    """A subscription sent by a browser cannot be used; the message says why."""


class SubscriptionKeys(msgspec.Struct, frozen=True):
    """The browser's encryption keys (base64url): its P-256 public key and auth secret."""

    p256dh: str
    auth: str


class SubscriptionCreate(msgspec.Struct, frozen=True):
    """``PushSubscription.toJSON()`` from a browser, plus an optional device name."""

    endpoint: str
    keys: SubscriptionKeys
    expirationTime: float | None = None  # noqa: N815 (the browser's spelling)
    name: str | None = None


class PushSubscription(msgspec.Struct, frozen=True):
    """A device that receives pushes."""

    id: int
    name: str
    endpoint: str
    p256dh: str
    auth: str
    created_at: datetime
    last_success_at: datetime | None = None

    def info(self) -> dict[str, str | dict[str, str]]:
        """What pywebpush calls ``subscription_info``."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


class PushPayload(msgspec.Struct, frozen=True):
    """The JSON a push carries (C9); the service worker shows it as a notification."""

    id: int
    title: str
    body: str
    severity: str
    url: str
    ack_token: str | None
    status: str
    topic: str


def _b64url(value: str, field: str, length: int | None) -> bytes:
    if not isinstance(value, str) or not value:
        raise PushSubscriptionError(f"keys.{field} is missing")
    try:
        raw = base64.b64decode(value + "=" * (-len(value) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        raise PushSubscriptionError(f"keys.{field} is not base64url") from None
    if length is not None and len(raw) != length:
        raise PushSubscriptionError(f"keys.{field} must be {length} bytes, not {len(raw)}")
    return raw


def check_subscription(sub: SubscriptionCreate) -> str:
    """Validate a browser's subscription and return the device name to store.

    Raises:
        PushSubscriptionError: the endpoint is not an http(s) URL, or a key has the wrong form
            (``p256dh`` an uncompressed P-256 point of 65 bytes, ``auth`` 16 bytes).
    """
    if len(sub.endpoint) > MAX_ENDPOINT:
        raise PushSubscriptionError(f"endpoint is longer than {MAX_ENDPOINT} characters")
    parts = urlsplit(sub.endpoint)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise PushSubscriptionError("endpoint must be an https:// URL of a push service")
    point = _b64url(sub.keys.p256dh, "p256dh", 65)
    if point[0] != 4:
        raise PushSubscriptionError("keys.p256dh must be an uncompressed P-256 point")
    _b64url(sub.keys.auth, "auth", 16)
    name = (sub.name or "").strip()
    if len(name) > MAX_NAME:
        raise PushSubscriptionError(f"name is longer than {MAX_NAME} characters")
    return name or parts.hostname or "device"


def topic(fingerprint: str) -> str:
    """The ``Topic`` header for an alert: a later push with the same topic replaces one still
    undelivered (a resolution replaces its firing push). At most 32 base64url characters."""
    safe = "".join(c for c in fingerprint if _TOPIC.fullmatch(c))
    if safe and len(safe) <= 32 and safe == fingerprint:
        return safe
    digest = hashlib.sha256(fingerprint.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()[:32]


def encode_payload(payload: PushPayload) -> bytes:
    """The payload as JSON, its body (then title) shortened so the whole fits ``MAX_PAYLOAD``."""
    data = msgspec.json.encode(payload)
    if len(data) <= MAX_PAYLOAD:
        return data

    def shortened(body: int, title: int) -> bytes:
        text = payload.body[:body] + "…" if body else ""
        return msgspec.json.encode(
            msgspec.structs.replace(payload, body=text, title=payload.title[:title])
        )

    # The longest prefix that fits (JSON escapes make characters cost 1 to 6 bytes).
    full_title = len(payload.title)
    low, high = 0, len(payload.body)
    while low < high:
        mid = (low + high + 1) // 2
        low, high = (
            (mid, high) if len(shortened(mid, full_title)) <= MAX_PAYLOAD else (low, mid - 1)
        )
    if low:
        return shortened(low, full_title)
    low, high = 1, full_title
    while low < high:
        mid = (low + high + 1) // 2
        low, high = (mid, high) if len(shortened(0, mid)) <= MAX_PAYLOAD else (low, mid - 1)
    return shortened(0, low)
