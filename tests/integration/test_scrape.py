"""Scraping a real Prometheus target on 127.0.0.1 whose counters, gauges, histogram and summary
change between scrapes; failures, recovery and the per-target series limit."""

from __future__ import annotations

import logging

import pytest
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Summary

from hub.collectors.scrape import Scraper
from hub.domain.config import ServiceConfig
from hub.lib.http import create_client
from tests.http_peers import http_peer

SCRAPE_LOG = "hub.collectors.scrape"


@pytest.fixture
async def http():
    async with create_client() as client:
        yield client


def scraper(clock, http, url, **options) -> Scraper:
    config = ServiceConfig(url="http://127.0.0.1:9/", metrics_url=url, interval=10, **options)
    return Scraper("api", config, clock, http)


def by_series(samples) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value for s in samples}


class Target:
    """The instruments of an application's /metrics."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "http_requests", "Requests", ["path", "service"], registry=self.registry
        )
        self.connections = Gauge("active_connections", "Open", registry=self.registry)
        self.latency = Histogram(
            "latency_seconds", "Latency", registry=self.registry, buckets=(0.1, 0.5, 1.0)
        )
        self.jobs = Summary("job_seconds", "Job time", registry=self.registry)


SVC = ("service", "api")


async def test_scraped_series_become_gauges_rates_and_quantiles(clock, http):
    target = Target()
    with http_peer(registry=target.registry) as peer:
        collector = scraper(clock, http, peer.metrics_url)
        target.requests.labels("/", "frontend").inc(100)
        target.connections.set(7)
        target.latency.observe(0.05)
        target.jobs.observe(1.0)
        first = by_series(await collector.collect())

        clock.advance(10)
        target.requests.labels("/", "frontend").inc(50)
        target.connections.set(9)
        for seconds in (0.05, 0.3, 0.3, 0.3, 0.7):
            target.latency.observe(seconds)
        target.jobs.observe(2.0)
        target.jobs.observe(4.0)
        second = by_series(await collector.collect())

    assert collector.name == "scrape:api" and collector.interval == 10
    # First scrape: gauges only, counters need a second one.
    assert first[("active_connections", (SVC,))] == 7
    assert first[("scrape_up", (SVC,))] == 1
    assert not [k for k in first if k[0].endswith(("_rate", "_avg"))]
    assert not [k for k in first if "created" in k[0]]

    assert second[("active_connections", (SVC,))] == 9
    # The target's own `service` label is kept as exported_service.
    labels = (("exported_service", "frontend"), ("path", "/"), SVC)
    assert second[("http_requests_rate", labels)] == pytest.approx(5.0)
    assert second[("latency_seconds_count_rate", (SVC,))] == pytest.approx(0.5)
    assert second[("latency_seconds_avg", (SVC,))] == pytest.approx(1.65 / 5)
    # Increases: 1 under 0.1, 3 in (0.1, 0.5], 1 in (0.5, 1]: the median is 1.5 of 3 in there.
    assert second[("latency_seconds", (("quantile", "0.5"), SVC))] == pytest.approx(
        0.1 + 0.4 * (2.5 - 1) / 3
    )
    assert second[("latency_seconds", (("quantile", "0.9"), SVC))] == pytest.approx(
        0.5 + 0.5 * (4.5 - 4) / 1
    )
    assert ("latency_seconds", (("quantile", "0.99"), SVC)) in second
    assert second[("job_seconds_count_rate", (SVC,))] == pytest.approx(0.2)
    assert second[("job_seconds_avg", (SVC,))] == pytest.approx(3.0)
    assert second[("scrape_series", (SVC,))] == len(second) - 3
    assert 0 < second[("scrape_duration", (SVC,))] < 5000


async def test_a_failed_scrape_stores_scrape_up_0_and_warns_once(clock, http, caplog):
    caplog.set_level(logging.DEBUG, logger=SCRAPE_LOG)
    target = Target()
    with http_peer(registry=target.registry) as peer:
        url = peer.metrics_url
        collector = scraper(clock, http, url.replace("//", "//scraper:s3cret@"))
        target.requests.labels("/", "x").inc(10)
        assert by_series(await collector.collect())[("scrape_up", (SVC,))] == 1
        peer.stop()
        for _ in range(3):
            clock.advance(10)
            assert by_series(await collector.collect()) == {("scrape_up", (SVC,)): 0.0}
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    message = warnings[0].getMessage()
    assert "scrape:api" in message and url in message
    assert "s3cret" not in caplog.text  # credentials in the URL never reach the log
    assert collector.last_error


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        ({"status": 500}, "HTTP 500"),
        ({"metrics_text": "http_requests_total{ 1\n"}, ""),
        ({"delay": 2.0}, "timed out after 0.5s"),
    ],
)
async def test_errors_and_unparsable_text_count_as_down(clock, http, answer, error):
    with http_peer(**answer) as peer:
        collector = scraper(clock, http, peer.metrics_url, timeout=0.5)
        assert by_series(await collector.collect()) == {("scrape_up", (SVC,)): 0.0}
    assert error in collector.last_error  # type: ignore[operator]


async def test_after_a_gap_rates_start_afresh(clock, http, caplog):
    caplog.set_level(logging.INFO, logger=SCRAPE_LOG)
    target = Target()
    with http_peer(registry=target.registry) as peer:
        collector = scraper(clock, http, peer.metrics_url)
        target.requests.labels("/", "x").inc(10)
        await collector.collect()
        text, peer.metrics_text = None, "broken{\n"
        clock.advance(10)
        await collector.collect()
        peer.metrics_text = text
        clock.advance(10)
        target.requests.labels("/", "x").inc(10)
        back = by_series(await collector.collect())
        clock.advance(10)
        target.requests.labels("/", "x").inc(30)
        later = by_series(await collector.collect())
    assert back[("scrape_up", (SVC,))] == 1
    assert not [k for k in back if k[0] == "http_requests_rate"]
    assert [v for k, v in later.items() if k[0] == "http_requests_rate"] == [3.0]
    assert collector.last_error is None
    assert any("works again" in r.getMessage() for r in caplog.records)


async def test_series_over_the_limit_are_dropped_with_one_warning_per_target(clock, http, caplog):
    caplog.set_level(logging.WARNING, logger=SCRAPE_LOG)
    registry = CollectorRegistry()
    gauge = Gauge("queue_depth", "Depth", ["queue"], registry=registry)
    for i in range(30):
        gauge.labels(f"q{i:02d}").set(i)
    with http_peer(registry=registry) as peer:
        collector = scraper(clock, http, peer.metrics_url, series_limit=10)
        for _ in range(3):
            samples = await collector.collect()
            clock.advance(10)
    stored = [s for s in samples if s.name == "queue_depth"]
    assert len(stored) == 10
    assert by_series(samples)[("scrape_series", (SVC,))] == 10
    (warning,) = caplog.records
    message = warning.getMessage()
    assert "scrape:api" in message and peer.metrics_url in message
    assert "series_limit of 10" in message and "30 series" in message
    assert "the other 20 are dropped" in message
