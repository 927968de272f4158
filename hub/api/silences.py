"""Silences API: create, list and expire silences (Alertmanager's semantics)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.exceptions import HTTPException, NotFoundException
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_400_BAD_REQUEST, HTTP_409_CONFLICT

from hub.api.state import HubDep
from hub.domain.matchers import Matcher
from hub.domain.silences import (
    Silence,
    SilenceError,
    SilenceExpiredError,
    SilenceState,
    expire,
    new_silence,
    parse_silence_request,
)

KEEP_EXPIRED = timedelta(days=7)
"""Expired silences are listed (and kept) this long."""


class SilenceCreate(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A new silence: matchers like ``host=db1`` or ``service=~"api|web"``, all of which must
    hold; a ``duration`` like ``2h`` or an ``ends_at``; and why."""

    matchers: list[str]
    comment: str
    duration: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None


class SilenceRead(msgspec.Struct, frozen=True):
    """A silence with its state now: pending, active or expired."""

    id: str
    state: SilenceState
    matchers: tuple[Matcher, ...]
    starts_at: datetime
    ends_at: datetime
    created_by: str
    comment: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, silence: Silence, now: datetime) -> SilenceRead:
        """``silence`` as the API shows it at ``now``."""
        fields = msgspec.structs.asdict(silence)
        return cls(state=silence.state(now), **fields)


class SilenceController(Controller):
    """``/api/v1/silences``."""

    path = "/api/v1/silences"
    tags = ["silences"]  # noqa: RUF012 (Litestar reads it as a class attribute)

    @get("/")
    async def list_silences(
        self,
        hub: HubDep,
        silence_state: Annotated[SilenceState | None, QueryParameter(name="state")] = None,
    ) -> list[SilenceRead]:
        """Pending, active and recently expired silences, soonest ending first."""
        now = hub.clock.now()
        async with hub.store.tx() as tx:
            silences = await tx.silences.ending_after(now - KEEP_EXPIRED)
        shown = [SilenceRead.of(s, now) for s in silences]
        return [s for s in shown if silence_state is None or s.state is silence_state]

    @post("/", status_code=201)
    async def create_silence(
        self, request: Request[Any, Any, Any], hub: HubDep, data: JSONBody[SilenceCreate]
    ) -> SilenceRead:
        """Mute the notifications of matching alerts from ``starts_at`` (default now) on."""
        now = hub.clock.now()
        body = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not None}
        try:
            silence = new_silence(
                uuid.uuid4().hex,
                parse_silence_request({**body, "created_by": str(request.user)}, now),
                now,
            )
        except SilenceError as error:
            raise HTTPException(status_code=HTTP_400_BAD_REQUEST, detail=str(error)) from None
        async with hub.store.tx() as tx:
            await tx.silences.put(silence)
            await tx.silences.delete_ended_before(now - KEEP_EXPIRED)
        return SilenceRead.of(silence, now)

    @get("/{silence_id:str}")
    async def get_silence(self, hub: HubDep, silence_id: FromPath[str]) -> SilenceRead:
        """One silence."""
        async with hub.store.tx() as tx:
            silence = await tx.silences.get(silence_id)
        if silence is None:
            raise NotFoundException(f"no silence {silence_id}")
        return SilenceRead.of(silence, hub.clock.now())

    @post("/{silence_id:str}/expire", status_code=200)
    async def expire_silence(self, hub: HubDep, silence_id: FromPath[str]) -> SilenceRead:
        """End a silence now; alerts it muted that still fire notify at their next group tick.
        An expired silence answers 409 and stays as it was."""
        now = hub.clock.now()
        async with hub.store.tx() as tx:
            silence = await tx.silences.get(silence_id)
            if silence is None:
                raise NotFoundException(f"no silence {silence_id}")
            try:
                ended = expire(silence, now)
            except SilenceExpiredError:
                raise HTTPException(
                    status_code=HTTP_409_CONFLICT,
                    detail=f"silence {silence_id} has already expired",
                ) from None
            await tx.silences.put(ended)
        hub.jobs.schedule_notify(0.0)
        return SilenceRead.of(ended, now)
