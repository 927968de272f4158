"""Alerts API: list, detail, acknowledge, unacknowledge."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.exceptions import HTTPException, NotAuthorizedException, NotFoundException
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_409_CONFLICT

from hub.alerts import AckOutcome, AlertNotFoundError, ManualResolveRefusedError
from hub.api.acktokens import spend_ack_token
from hub.api.schemas import AckCreate, AckResult, AlertDetail, AlertRead
from hub.api.state import HubDep
from hub.domain.alerts import AlertState


class AlertController(Controller):
    """``/api/v1/alerts``."""

    path = "/api/v1/alerts"
    tags = ["alerts"]  # noqa: RUF012 (Litestar reads it as a class attribute)

    @get("/")
    async def list_alerts(
        self,
        hub: HubDep,
        alert_state: Annotated[AlertState | None, QueryParameter(name="state")] = None,
        limit: FromQuery[int] = 200,
    ) -> list[AlertRead]:
        """Alerts, newest first; ``state`` filters."""
        async with hub.store.tx() as tx:
            return await tx.alerts.recent(alert_state, limit=max(1, min(limit, 1000)))

    @get("/{alert_id:int}")
    async def get_alert(self, hub: HubDep, alert_id: FromPath[int]) -> AlertRead:
        """One alert (C9)."""
        async with hub.store.tx() as tx:
            alert = await tx.alerts.get(alert_id)
        if alert is None:
            raise NotFoundException(f"no alert {alert_id}")
        return alert

    @get("/{alert_id:int}/history")
    async def get_alert_history(self, hub: HubDep, alert_id: FromPath[int]) -> AlertDetail:
        """One alert with every state change and acknowledgement."""
        async with hub.store.tx() as tx:
            alert = await tx.alerts.get(alert_id)
            if alert is None:
                raise NotFoundException(f"no alert {alert_id}")
            return AlertDetail(alert, await tx.alerts.events(alert_id))

    @post("/{alert_id:int}/ack", status_code=200)
    async def ack_alert(
        self,
        request: Request[Any, Any, Any],
        hub: HubDep,
        alert_id: FromPath[int],
        data: JSONBody[AckCreate | None] = None,
    ) -> AckResult:
        """Acknowledge: idempotent; a resolved alert answers 409 and stays resolved. Without
        auth, the body's ``ack_token`` from a push must be valid for this alert (C9)."""
        body = data or AckCreate()
        if body.ack_token is not None:
            by = await spend_ack_token(hub, alert_id, body.ack_token)
        elif request.user is None:
            raise NotAuthorizedException(
                "authentication required: sign in, send a bearer token or an ack_token"
            )
        else:
            by = body.by or str(request.user)
        try:
            alert, outcome = await hub.engine.acknowledge(alert_id, by, body.comment)
        except AlertNotFoundError:
            raise NotFoundException(f"no alert {alert_id}") from None
        if outcome is AckOutcome.RESOLVED:
            raise HTTPException(
                status_code=HTTP_409_CONFLICT,
                detail=f"alert {alert_id} is already resolved; nothing changed",
            )
        return AckResult(outcome.value, alert)

    @post("/{alert_id:int}/resolve", status_code=200)
    async def resolve_alert(
        self,
        request: Request[Any, Any, Any],
        hub: HubDep,
        alert_id: FromPath[int],
        data: JSONBody[AckCreate | None] = None,
    ) -> AlertRead:
        """Resolve by hand, for rules with ``manual_resolve: true`` (409 otherwise); it fires
        again only after its condition has cleared."""
        body = data or AckCreate()
        try:
            return await hub.engine.resolve(alert_id, body.by or str(request.user), body.comment)
        except AlertNotFoundError:
            raise NotFoundException(f"no alert {alert_id}") from None
        except ManualResolveRefusedError as error:
            raise HTTPException(status_code=HTTP_409_CONFLICT, detail=str(error)) from None

    @post("/{alert_id:int}/unack", status_code=200)
    async def unack_alert(
        self, request: Request[Any, Any, Any], hub: HubDep, alert_id: FromPath[int]
    ) -> AlertRead:
        """Take an acknowledgement back."""
        try:
            return await hub.engine.unacknowledge(alert_id, str(request.user))
        except AlertNotFoundError:
            raise NotFoundException(f"no alert {alert_id}") from None
