"""Web Push API (C9): the VAPID public key and the devices subscribed to pushes."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

import msgspec
from litestar import Controller, delete, get, patch, post
from litestar.exceptions import HTTPException, NotFoundException
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_204_NO_CONTENT, HTTP_400_BAD_REQUEST

from hub.api.access import SELF_SERVICE
from hub.api.state import HubDep
from hub.domain.push import (
    MAX_NAME,
    PushSubscription,
    PushSubscriptionError,
    SubscriptionCreate,
    check_subscription,
)


class VapidPublicKey(msgspec.Struct, frozen=True):
    """The browser's ``applicationServerKey`` for ``PushManager.subscribe``."""

    public_key: str
    """Base64url (no padding) of the uncompressed P-256 point."""


class PushDeviceRead(msgspec.Struct, frozen=True):
    """A subscribed device; its endpoint and keys are never shown."""

    id: int
    name: str
    push_service: str
    """Host of the push service (fcm.googleapis.com, updates.push.services.mozilla.com …)."""
    created_at: datetime
    last_success_at: datetime | None

    @classmethod
    def of(cls, sub: PushSubscription) -> PushDeviceRead:
        """The listed form of ``sub``."""
        host = urlsplit(sub.endpoint).hostname or ""
        return cls(sub.id, sub.name, host, sub.created_at, sub.last_success_at)


class PushDeviceUpdate(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A new name for a device."""

    name: str


def _bad(reason: str) -> HTTPException:
    return HTTPException(status_code=HTTP_400_BAD_REQUEST, detail=reason)


class PushController(Controller):
    """``/api/v1/push``."""

    path = "/api/v1/push"
    tags = ["push"]  # noqa: RUF012 (Litestar reads it as a class attribute)

    @get("/vapid-public-key")
    async def get_vapid_public_key(self, hub: HubDep) -> VapidPublicKey:
        """The hub's VAPID public key (made at first start)."""
        return VapidPublicKey(hub.push.vapid.public_key)

    @post("/subscriptions", status_code=201, opt=SELF_SERVICE)
    async def create_subscription(
        self, hub: HubDep, data: JSONBody[SubscriptionCreate]
    ) -> PushDeviceRead:
        """Store the browser's ``PushSubscription.toJSON()`` (and a device ``name``); the same
        endpoint again updates it."""
        try:
            name = check_subscription(data)
        except PushSubscriptionError as error:
            raise _bad(str(error)) from None
        async with hub.store.tx() as tx:
            sub = await tx.push.subscribe(
                name, data.endpoint, data.keys.p256dh, data.keys.auth, hub.clock.now()
            )
        return PushDeviceRead.of(sub)

    @get("/subscriptions")
    async def list_subscriptions(self, hub: HubDep) -> list[PushDeviceRead]:
        """Every subscribed device, oldest first."""
        async with hub.store.tx() as tx:
            return [PushDeviceRead.of(sub) for sub in await tx.push.all()]

    @patch("/subscriptions/{sub_id:int}")
    async def rename_subscription(
        self, hub: HubDep, sub_id: FromPath[int], data: JSONBody[PushDeviceUpdate]
    ) -> PushDeviceRead:
        """Rename a device."""
        name = data.name.strip()
        if not name or len(name) > MAX_NAME:
            raise _bad(f"name must be 1 to {MAX_NAME} characters")
        async with hub.store.tx() as tx:
            sub = await tx.push.rename(sub_id, name)
        if sub is None:
            raise NotFoundException(f"no push subscription {sub_id}")
        return PushDeviceRead.of(sub)

    @delete("/subscriptions/{sub_id:int}", status_code=HTTP_204_NO_CONTENT)
    async def delete_subscription(self, hub: HubDep, sub_id: FromPath[int]) -> None:
        """Stop pushing to a device."""
        async with hub.store.tx() as tx:
            if not await tx.push.delete(sub_id):
                raise NotFoundException(f"no push subscription {sub_id}")
