"""Web Push subscriptions and single-use ack tokens."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from hub.domain.push import PushSubscription
from hub.store import tables as t

_SUB = t.push_subscriptions
_TOKEN = t.ack_tokens


class AckTokenRefusal(enum.Enum):
    """Why an ack token was refused (the value is the reason given to the caller)."""

    UNKNOWN = "the ack token is not valid"
    USED = "the ack token was already used"
    EXPIRED = "the ack token has expired"
    OTHER_ALERT = "the ack token belongs to another alert"


class PushRepo:
    """The ``push_subscriptions`` and ``ack_tokens`` tables."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def subscribe(
        self, name: str, endpoint: str, p256dh: str, auth: str, now: datetime
    ) -> PushSubscription:
        """Store a subscription; the same endpoint again replaces its keys and name (a
        browser re-subscribing) and keeps its id."""
        existing = await self._by_endpoint(endpoint)
        if existing is None:
            result = await self._conn.execute(
                sa.insert(_SUB)
                .values(name=name, endpoint=endpoint, p256dh=p256dh, auth=auth, created_at=now)
                .returning(_SUB.c.id)
            )
            return PushSubscription(result.scalar_one(), name, endpoint, p256dh, auth, now)
        await self._conn.execute(
            sa.update(_SUB)
            .where(_SUB.c.id == existing.id)
            .values(name=name, p256dh=p256dh, auth=auth)
        )
        return PushSubscription(
            existing.id, name, endpoint, p256dh, auth, existing.created_at, existing.last_success_at
        )

    async def _by_endpoint(self, endpoint: str) -> PushSubscription | None:
        rows = await self._conn.execute(sa.select(_SUB).where(_SUB.c.endpoint == endpoint))
        row = rows.first()
        return None if row is None else PushSubscription(*row)

    async def all(self) -> list[PushSubscription]:
        """Every subscription, oldest first."""
        rows = await self._conn.execute(sa.select(_SUB).order_by(_SUB.c.id))
        return [PushSubscription(*row) for row in rows]

    async def get(self, sub_id: int) -> PushSubscription | None:
        """One subscription."""
        rows = await self._conn.execute(sa.select(_SUB).where(_SUB.c.id == sub_id))
        row = rows.first()
        return None if row is None else PushSubscription(*row)

    async def rename(self, sub_id: int, name: str) -> PushSubscription | None:
        """Give a device another name; None when there is no such subscription."""
        await self._conn.execute(sa.update(_SUB).where(_SUB.c.id == sub_id).values(name=name))
        return await self.get(sub_id)

    async def delete(self, sub_id: int) -> bool:
        """Remove a subscription; False when there was none."""
        result = await self._conn.execute(sa.delete(_SUB).where(_SUB.c.id == sub_id))
        return bool(result.rowcount == 1)

    async def delivered(self, sub_id: int, now: datetime) -> None:
        """Record that the push service accepted a push for the subscription."""
        await self._conn.execute(
            sa.update(_SUB).where(_SUB.c.id == sub_id).values(last_success_at=now)
        )

    async def add_ack_token(
        self, token_hash: str, alert_id: int, device: str, expires_at: datetime
    ) -> None:
        """Store a new token (its hash) for ``alert_id``."""
        await self._conn.execute(
            sa.insert(_TOKEN).values(
                token_hash=token_hash, alert_id=alert_id, device=device, expires_at=expires_at
            )
        )

    async def use_ack_token(
        self, token_hash: str, alert_id: int, now: datetime
    ) -> str | AckTokenRefusal:
        """Spend a token on ``alert_id``: the device it was sent to, or why it is refused. A
        token is spent at most once, even by concurrent requests."""
        spent = await self._conn.execute(
            sa.update(_TOKEN)
            .where(
                _TOKEN.c.token_hash == token_hash,
                _TOKEN.c.alert_id == alert_id,
                _TOKEN.c.used_at.is_(None),
                _TOKEN.c.expires_at > now,
            )
            .values(used_at=now)
            .returning(_TOKEN.c.device)
        )
        device = spent.scalar_one_or_none()
        if device is not None:
            return str(device)
        rows = await self._conn.execute(
            sa.select(_TOKEN.c.alert_id, _TOKEN.c.used_at, _TOKEN.c.expires_at).where(
                _TOKEN.c.token_hash == token_hash
            )
        )
        row = rows.first()
        if row is None:
            return AckTokenRefusal.UNKNOWN
        if row.alert_id != alert_id:
            return AckTokenRefusal.OTHER_ALERT
        if row.used_at is not None:
            return AckTokenRefusal.USED
        return AckTokenRefusal.EXPIRED

    async def prune_ack_tokens(self, now: datetime) -> int:
        """Forget expired tokens; returns how many."""
        result = await self._conn.execute(sa.delete(_TOKEN).where(_TOKEN.c.expires_at <= now))
        return int(result.rowcount or 0)
