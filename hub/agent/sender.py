"""Sending one batch to the hub's ``POST /api/v1/ingest`` and classifying the answer."""

from __future__ import annotations

import httpx

from hub.agent.shipper import Outcome, SendResult
from hub.lib.http import DeliveryError, raise_for_delivery

INGEST_PATH = "/api/v1/ingest"
REFUSED_STATUSES = frozenset({401, 403, 404, 405})
"""A wrong or revoked token, or a --hub URL that is not a hub (404, 405): every batch would be
refused alike, so the agent keeps them spooled and stops rather than dropping them."""

DROPPED = (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError)
"""The connection broke after it was made and before an answer came (not a refused connection,
not a timeout): what a kept-alive connection closed by the other end at that moment raises.
Go's net/http retries the same case (``Transport.roundTrip``, ``shouldRetryRequest``)."""


class HubSender:
    """Posts msgpack batches with the agent's token; never raises for HTTP or network trouble."""

    def __init__(
        self, client: httpx.AsyncClient, hub_url: str, token: str, timeout: float = 10.0
    ) -> None:
        self._client = client
        self._url = hub_url.rstrip("/") + INGEST_PATH
        self._headers = {
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/msgpack",
        }
        self._timeout = timeout

    async def __call__(self, batch: bytes) -> SendResult:
        """Send ``batch``: SENT on 2xx; RETRY on connection trouble, 429 and 5xx; REFUSED on 401
        403, 404 and 405; REJECTED on any other status (the classification of notifications).

        A connection dropped before the answer is tried once more at once, on another connection:
        that is how a kept-alive connection fails when the hub (or a proxy) closes it just as
        the batch goes out. Sending a batch twice is harmless: the hub stores a sample once
        per series and time."""
        try:
            try:
                response = await self._post(batch)
            except DROPPED:
                response = await self._post(batch)
        except httpx.TimeoutException:
            return SendResult(Outcome.RETRY, f"no answer within {self._timeout:g}s")
        except httpx.TransportError as exc:
            return SendResult(Outcome.RETRY, f"cannot connect ({type(exc).__name__})")
        try:
            raise_for_delivery(response)
        except DeliveryError as exc:
            detail = f"HTTP {response.status_code}: {_reason(response)}"
            if not exc.permanent:
                return SendResult(Outcome.RETRY, detail)
            if response.status_code in REFUSED_STATUSES:
                return SendResult(Outcome.REFUSED, detail)
            return SendResult(Outcome.REJECTED, detail)
        return SendResult(Outcome.SENT)

    async def _post(self, batch: bytes) -> httpx.Response:
        return await self._client.post(
            self._url, content=batch, headers=self._headers, timeout=self._timeout
        )


def _reason(response: httpx.Response) -> str:
    """The hub's ``detail``, or the start of the body."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:200] or "no reason given"
    if isinstance(body, dict) and body.get("detail"):
        return str(body["detail"])
    return str(body)[:200]
