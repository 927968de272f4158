"""HTTP probes: one collector per configured service, ``http:<service>``, GETting its ``url``.

A down service is data, not an error: ``collect`` never raises for it. Samples, all labelled
``service``: ``service_health`` (1 up, 0 down), ``http_status`` (0 when nothing answered),
``response_time`` (ms, whenever a response arrived), ``error_rate`` (% of the last
``error_window`` probes that failed) and, for https, ``tls_cert_days_left``.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Mapping

import httpx
import msgspec

from hub.collectors.checks import failed_check
from hub.collectors.tlscert import CertExpiry, peer_certificate
from hub.domain.config import ServiceConfig
from hub.domain.samples import Sample
from hub.lib.clock import Clock, monotonic

log = logging.getLogger(__name__)

BODY_LIMIT = 1 << 20
"""Bytes of a body read for the keyword and JSON checks; health pages are far smaller."""


class _Answer(msgspec.Struct, frozen=True):
    status: int
    body: bytes
    certificate: bytes | None


class HttpProbe:
    """Probes one service every ``interval`` seconds with the hub's shared HTTP client."""

    def __init__(
        self, service: str, config: ServiceConfig, clock: Clock, http: httpx.AsyncClient
    ) -> None:
        self.name = f"http:{service}"
        self.interval = float(config.interval)
        self._service = service
        self._config = config
        self._clock = clock
        self._http = http
        self._outcomes: deque[bool] = deque(maxlen=config.error_window)
        self._cert = CertExpiry(clock, config.url) if config.url.startswith("https:") else None
        self.last_error: str | None = None
        """Why the service was down at the last probe; None when it was up (or not probed)."""

    async def collect(self) -> list[Sample]:
        """Probe once; the samples say whether the service is up, never an exception."""
        now = self._clock.now().timestamp()
        seconds = self._config.probe_timeout
        started = monotonic()
        answer: _Answer | None = None
        try:
            answer = await _get(self._http, self._config.url, seconds, self._cert is not None)
            error = failed_check(self._config, answer.status, answer.body)
        except (httpx.HTTPError, httpx.InvalidURL, OSError, TimeoutError) as exc:
            error = _describe(exc, seconds)
        elapsed_ms = (monotonic() - started) * 1000
        status = answer.status if answer else 0
        self.last_error = error
        self._outcomes.append(error is None)
        if error is not None:
            log.debug("%s is down: %s", self.name, error)
        labels = {"service": self._service}
        out = [
            Sample("service_health", labels, 0.0 if error else 1.0, now),
            Sample("http_status", labels, float(status), now),
            Sample("error_rate", labels, _error_percent(self._outcomes), now),
        ]
        if answer is not None:
            out.append(Sample("response_time", labels, elapsed_ms, now))
        if self._cert is not None:
            days = await self._cert.days_left(answer.certificate if answer else None, seconds)
            if days is not None:
                out.append(Sample("tls_cert_days_left", labels, days, now))
        return out


def http_probes(
    services: Mapping[str, ServiceConfig], clock: Clock, http: httpx.AsyncClient
) -> list[HttpProbe]:
    """A probe for every configured service."""
    return [HttpProbe(name, config, clock, http) for name, config in services.items()]


async def _get(http: httpx.AsyncClient, url: str, seconds: float, certificate: bool) -> _Answer:
    # httpx's timeout bounds each phase (connect, each read); the outer one bounds the whole
    # probe, so a server trickling bytes cannot hold it past ``seconds``. The certificate is
    # asked for only when it is wanted: anyio builds every socket attribute to answer that.
    async with (
        asyncio.timeout(seconds),
        http.stream("GET", url, timeout=seconds, follow_redirects=True) as response,
    ):
        der = peer_certificate(response) if certificate else None
        body = bytearray()
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) >= BODY_LIMIT:
                break
    return _Answer(response.status_code, bytes(body[:BODY_LIMIT]), der)


def _describe(exc: Exception, seconds: float) -> str:
    if isinstance(exc, TimeoutError | httpx.TimeoutException):
        return f"timed out after {seconds:g}s"
    if isinstance(exc, httpx.ConnectError):
        return f"connection failed: {exc}"
    return str(exc) or type(exc).__name__


def _error_percent(outcomes: deque[bool]) -> float:
    return 100.0 * sum(not ok for ok in outcomes) / len(outcomes)
