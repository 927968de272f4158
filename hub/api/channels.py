"""Channels API: list the channels with their health, send a test, read the delivery log.

Nothing here shows a secret: webhook URLs, SMTP passwords and Apprise URLs stay out of every
response; a channel is shown by name, type and the parts of its address that are not secret.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from litestar import Controller, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, QueryParameter

from hub.api.state import HubDep
from hub.domain.config import (
    ChannelConfig,
    EmailChannelConfig,
    SlackChannelConfig,
    channel_type,
)
from hub.domain.notifications import Delivery


class ChannelRead(msgspec.Struct, frozen=True):
    """A configured channel, its health and its last delivery attempt."""

    name: str
    type: str
    status: str
    """``ok``, ``failing`` (its notifications fail for good) or ``unused`` (never sent to)."""
    send_resolved: bool
    max_per_minute: int
    target: str | None
    """Where it sends, when that is not a secret: a Slack #channel, email recipients."""
    failing_since: datetime | None
    last_error: str | None
    last_attempt_at: datetime | None
    last_ok: bool | None
    pending: int


class DeliveryRead(msgspec.Struct, frozen=True):
    """One attempt to send a notification (the delivery log)."""

    id: int | None
    notification_id: int
    channel: str
    at: datetime
    ok: bool
    outcome: str | None
    """``sent``, ``retry`` (another attempt is scheduled) or ``failed`` (given up)."""
    status_code: int | None
    error: str | None
    duration_ms: float

    @classmethod
    def of(cls, d: Delivery) -> DeliveryRead:
        """``d`` as the API shows it."""
        return cls(
            d.id,
            d.outbox_id,
            d.channel,
            d.at,
            d.ok,
            d.outcome,
            d.status_code,
            d.error,
            round(d.duration_ms, 1),
        )


def _target(config: ChannelConfig) -> str | None:
    if isinstance(config, SlackChannelConfig):
        return config.channel
    if isinstance(config, EmailChannelConfig):
        return ", ".join(config.recipients)
    return None


class ChannelController(Controller):
    """``/api/v1/channels``."""

    path = "/api/v1/channels"
    tags = ["channels"]  # noqa: RUF012 (Litestar reads it as a class attribute)

    @get("/")
    async def list_channels(self, hub: HubDep) -> list[ChannelRead]:
        """Every channel notifications can go to, with its health."""
        health = await hub.deliverer.health()
        async with hub.store.tx() as tx:
            last = await tx.outbox.last_by_channel()
            pending = await tx.outbox.pending_by_channel()
        shown = []
        for name, config in hub.routes.channels.items():
            state, attempt = health.get(name), last.get(name)
            failing = state is not None and state.failing
            shown.append(
                ChannelRead(
                    name=name,
                    type=channel_type(config),
                    status="failing" if failing else ("ok" if attempt else "unused"),
                    send_resolved=config.send_resolved,
                    max_per_minute=config.max_per_minute,
                    target=_target(config),
                    failing_since=state.since if state else None,
                    last_error=state.error if failing and state else None,
                    last_attempt_at=attempt.at if attempt else None,
                    last_ok=attempt.ok if attempt else None,
                    pending=pending.get(name, 0),
                )
            )
        return shown

    @post("/{name:str}/test", status_code=200)
    async def test_channel(self, hub: HubDep, name: FromPath[str]) -> DeliveryRead:
        """Send a test notification to channel ``name`` now and return the attempt: ``ok``
        false with the ``error`` when the channel did not take it (no retry)."""
        delivery = await hub.deliverer.send_test(name)
        if delivery is None:
            raise NotFoundException(f"no channel named {name!r}")
        return DeliveryRead.of(delivery)


@get("/api/v1/notifications/deliveries", tags=["channels"])
async def list_deliveries(
    hub: HubDep,
    channel: FromQuery[str | None] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
    before: Annotated[int | None, QueryParameter(ge=1)] = None,
) -> list[DeliveryRead]:
    """The delivery log, newest first: every attempt with its outcome, status, error and
    duration; ``before`` (an attempt id) pages to older ones."""
    async with hub.store.tx() as tx:
        rows = await tx.outbox.deliveries(limit, channel=channel, before=before)
    return [DeliveryRead.of(d) for d in rows]
