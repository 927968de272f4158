"""Scraping: one collector per service with a ``metrics_url``, ``scrape:<service>``.

Every scraped series is stored with a ``service`` label added; a target label already named
``service`` becomes ``exported_service`` (Prometheus's ``honor_labels: false``), and a scraped
name the hub itself writes for services (``service_health``, ``scrape_up`` …) becomes
``exported_<name>``. How counters, histograms and summaries are stored: ``hub.collectors.promtext``.

A failed scrape (refused, timed out, HTTP error, unparsable text) does not raise: it returns
``scrape_up 0`` like Prometheus's ``up``. Raising would lose that sample — the job stores only
what ``collect`` returns — and log a traceback every interval for what is a fact about the
target, not a fault of the hub. The failure is logged once as a warning when the target goes
down (then at debug while it stays down) and kept in ``last_error``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping

import httpx

from hub.collectors.promtext import Point, Reading, derive, parse_exposition
from hub.domain.config import ServiceConfig
from hub.domain.samples import Sample
from hub.lib.clock import Clock, monotonic

log = logging.getLogger(__name__)

ACCEPT = "text/plain;version=0.0.4;q=0.9,application/openmetrics-text;version=1.0.0;q=0.5,*/*;q=0.1"
"""The classic text format is preferred; OpenMetrics is parsed too when that is what comes."""

OWN_METRICS = frozenset(
    {
        "service_health",
        "response_time",
        "http_status",
        "error_rate",
        "tls_cert_days_left",
        "scrape_up",
        "scrape_duration",
        "scrape_series",
    }
)
"""Names the hub writes with a ``service`` label itself; scraped ones are renamed."""


class Scraper:
    """Scrapes one service's Prometheus endpoint every ``interval`` seconds."""

    def __init__(
        self, service: str, config: ServiceConfig, clock: Clock, http: httpx.AsyncClient
    ) -> None:
        if config.metrics_url is None:
            raise ValueError(f"service {service} has no metrics_url")
        self.name = f"scrape:{service}"
        self.interval = float(config.interval)
        self._service = service
        self._url = config.metrics_url
        self._shown_url = _without_credentials(config.metrics_url)
        self._timeout = config.probe_timeout
        self._limit = config.series_limit
        self._clock = clock
        self._http = http
        self._previous: Reading | None = None
        self._over_limit = False
        self.last_error: str | None = None
        """Why the last scrape failed; None when it worked (or before the first)."""

    async def collect(self) -> list[Sample]:
        """One scrape: the target's series, then ``scrape_up``, ``scrape_duration`` and
        ``scrape_series``; only ``scrape_up 0`` when the target could not be scraped."""
        now = self._clock.now().timestamp()
        labels = {"service": self._service}
        started = monotonic()
        try:
            reading = await self._scrape(now)
        except (httpx.HTTPError, httpx.InvalidURL, OSError, TimeoutError, ValueError) as exc:
            self._failed(exc)
            return [Sample("scrape_up", labels, 0.0, now)]
        elapsed_ms = (monotonic() - started) * 1000
        if self.last_error is not None:
            log.info("%s: scraping works again", self.name)
            self.last_error = None
        points = derive(reading, self._previous)
        self._previous = reading
        kept = [relabel(p, self._service) for p in self._limited(points)]
        out = [Sample(p.name, p.labels, p.value, now) for p in kept]
        out.append(Sample("scrape_up", labels, 1.0, now))
        out.append(Sample("scrape_duration", labels, elapsed_ms, now))
        out.append(Sample("scrape_series", labels, float(len(kept)), now))
        return out

    async def _scrape(self, now: float) -> Reading:
        async with asyncio.timeout(self._timeout):
            response = await self._http.get(
                self._url, timeout=self._timeout, headers={"Accept": ACCEPT}, follow_redirects=True
            )
        response.raise_for_status()
        kind = response.headers.get("content-type", "")
        return parse_exposition(
            response.text, now, openmetrics=kind.startswith("application/openmetrics-text")
        )

    def _failed(self, exc: Exception) -> None:
        if isinstance(exc, TimeoutError | httpx.TimeoutException):
            reason = f"timed out after {self._timeout:g}s"
        elif isinstance(exc, httpx.HTTPStatusError):
            reason = f"HTTP {exc.response.status_code}"
        else:
            reason = str(exc) or type(exc).__name__
        # The next good scrape starts rates afresh: a gap is not an increase over one step.
        self._previous = None
        if self.last_error is None:
            log.warning("%s: cannot scrape %s: %s", self.name, self._shown_url, reason)
        else:
            log.debug("%s: still cannot scrape: %s", self.name, reason)
        self.last_error = reason

    def _limited(self, points: list[Point]) -> list[Point]:
        over = len(points) > self._limit
        if over and not self._over_limit:
            log.warning(
                "%s: %s exposes %d series, over its series_limit of %d; the other %d are "
                "dropped (raise services.%s.series_limit to keep them)",
                self.name,
                self._shown_url,
                len(points),
                self._limit,
                len(points) - self._limit,
                self._service,
            )
        self._over_limit = over
        return points[: self._limit]


def relabel(point: Point, service: str) -> Point:
    """``point`` with ``service`` set, the target's own ``service`` label kept as
    ``exported_service`` and a name the hub writes itself prefixed ``exported_``."""
    labels = dict(point.labels)
    if "service" in labels:
        key = "exported_service"
        while key in labels:  # as Prometheus does: prefix until the name is free
            key = f"exported_{key}"
        labels[key] = labels.pop("service")
    labels["service"] = service
    name = f"exported_{point.name}" if point.name in OWN_METRICS else point.name
    return Point(name, labels, point.value)


def _without_credentials(url: str) -> str:
    """``url`` fit for a log line: a ``user:password@`` part is left out."""
    try:
        return str(httpx.URL(url).copy_with(username=None, password=None))
    except httpx.InvalidURL:
        return "(invalid URL)"


def scrapers(
    services: Mapping[str, ServiceConfig], clock: Clock, http: httpx.AsyncClient
) -> list[Scraper]:
    """A scraper for every service with a ``metrics_url``."""
    return [
        Scraper(name, config, clock, http)
        for name, config in services.items()
        if config.metrics_url is not None
    ]
