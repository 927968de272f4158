"""The one exit for outbound HTTP: shared client, explicit timeouts, status classification.

2xx is success; 429, 5xx, timeouts and connection errors are worth retrying; any other status is
permanent. Errors never carry the URL, which for webhooks is a secret.
"""

from __future__ import annotations

import logging
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from hub.lib.httppool import OriginPools

USER_AGENT = "tcf-hub"


class DeliveryError(Exception):
    """Sending failed; ``permanent`` says whether trying again could help."""

    def __init__(
        self,
        message: str,
        *,
        permanent: bool,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.status = status
        self.retry_after = retry_after
        """Seconds the receiver asked us to wait before trying again (``Retry-After``)."""


class _HideURLs(logging.Filter):
    """httpx logs every request's full URL at INFO; for webhooks the URL is the secret, so
    only scheme, host and port are kept."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and any(isinstance(a, httpx.URL) for a in record.args):
            record.args = tuple(
                f"{a.scheme}://{a.netloc.decode()}/…" if isinstance(a, httpx.URL) else a
                for a in record.args
            )
        return True


_HIDE_URLS = _HideURLs()


def create_client() -> httpx.AsyncClient:
    """The process-wide client (closed by the app's lifespan); its request log hides paths."""
    logging.getLogger("httpx").addFilter(_HIDE_URLS)  # adding it again is a no-op
    return httpx.AsyncClient(
        timeout=httpx.Timeout(10.0),
        headers={"User-Agent": USER_AGENT},
        follow_redirects=False,
        transport=OriginPools(),  # one pool per origin: probing many services stays cheap
    )


def raise_for_delivery(response: httpx.Response) -> None:
    """Raise DeliveryError unless ``response`` is a 2xx."""
    status = response.status_code
    if 200 <= status < 300:
        return
    retryable = status == 429 or status >= 500
    raise DeliveryError(
        f"receiver answered HTTP {status}",
        permanent=not retryable,
        status=status,
        retry_after=retry_after(response.headers) if retryable else None,
    )


MAX_RETRY_AFTER = 3600.0
"""A receiver asking for a longer wait than this (an hour) is waited on for this long."""


def retry_after(headers: httpx.Headers) -> float | None:
    """Seconds a response's ``Retry-After`` asks for: delta-seconds, or an HTTP date taken
    relative to the response's own ``Date``; None if absent or unreadable. Discord sends
    fractional seconds, which RFC 9110 does not, but they are accepted.
    https://www.rfc-editor.org/rfc/rfc9110#field.retry-after
    """
    value = headers.get("Retry-After")
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
            sent = parsedate_to_datetime(headers.get("Date", ""))
            seconds = (when - sent).total_seconds()
        except (TypeError, ValueError):  # unreadable, or one date naive and one not
            return None
    if seconds != seconds:  # NaN
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


async def post_json(
    client: httpx.AsyncClient,
    url: str,
    body: bytes,
    *,
    headers: dict[str, str] | None = None,
    seconds: float = 10.0,
) -> httpx.Response:
    """POST a JSON body with a ``seconds`` timeout; raise DeliveryError unless 2xx."""
    sent_headers: dict[str, Any] = {"Content-Type": "application/json", **(headers or {})}
    try:
        response = await client.post(url, content=body, headers=sent_headers, timeout=seconds)
    except httpx.TimeoutException:
        raise DeliveryError(f"timed out after {seconds:g}s", permanent=False) from None
    except httpx.TransportError as exc:
        raise DeliveryError(f"connection failed: {type(exc).__name__}", permanent=False) from None
    except httpx.InvalidURL:
        raise DeliveryError("the receiver URL is invalid", permanent=True) from None
    raise_for_delivery(response)
    return response
