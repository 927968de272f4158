"""Channel health: a channel whose notifications fail for good is *failing*, and the other
channels are told (fallback) — when it starts failing and when it delivers again."""

from __future__ import annotations

import hashlib
from datetime import datetime

import msgspec

from hub.domain.notifications import Notification, NotifiedAlert

HEALTH = "channel"
"""``notify_state`` kind of channel health records."""
ALERTNAME = "notification_channel_failing"


class ChannelHealth(msgspec.Struct, frozen=True):
    """Whether a channel is failing, since when and why (the error never holds secrets)."""

    failing: bool = False
    since: datetime | None = None
    error: str | None = None


def failing_notice(
    channel: str,
    receiver: str,
    health: ChannelHealth,
    external_url: str,
    now: datetime,
    *,
    resolved: bool,
) -> Notification:
    """What ``receiver`` is told about ``channel`` starting to fail, or delivering again."""
    status = "resolved" if resolved else "firing"
    labels = {"alertname": ALERTNAME, "channel": channel, "severity": "critical"}
    text = (
        f"Notifications to channel {channel} are delivered again"
        if resolved
        else f"Notifications to channel {channel} fail: {health.error}"
    )
    alert = NotifiedAlert(
        id=0,
        status=status,
        labels=labels,
        annotations={"summary": text},
        starts_at=health.since or now,
        ends_at=now if resolved else None,
        fingerprint=hashlib.sha256(f"{ALERTNAME}\x1f{channel}".encode()).hexdigest()[:16],
    )
    return Notification(
        receiver=receiver,
        status=status,
        group_key=f"{ALERTNAME}/{channel}",
        group_labels={"alertname": ALERTNAME, "channel": channel},
        alerts=(alert,),
        external_url=external_url,
    )
