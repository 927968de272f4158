"""HTTP probes against real services on 127.0.0.1: up, refused, slow, erroring, failed checks,
the error rate over a window, and TLS certificate expiry, trusted or not."""

from __future__ import annotations

import time

import httpx
import pytest

from hub.collectors.http import HttpProbe
from hub.domain.config import ServiceConfig
from hub.lib.http import create_client
from tests.http_peers import http_peer, make_certificate


@pytest.fixture
async def http():
    async with create_client() as client:
        yield client


def probe(clock, http, url, **options) -> HttpProbe:
    return HttpProbe("api", ServiceConfig(url=url, interval=5, **options), clock, http)


def values(samples) -> dict[str, float]:
    assert all(s.labels == {"service": "api"} for s in samples)
    return {s.name: s.value for s in samples}


async def test_a_service_that_answers_200_is_up(clock, http):
    with http_peer(body=b"fine") as peer:
        collector = probe(clock, http, peer.url)
        samples = await collector.collect()
    assert collector.name == "http:api" and collector.interval == 5
    got = values(samples)
    assert got["service_health"] == 1
    assert got["http_status"] == 200
    assert got["error_rate"] == 0
    assert 0 < got["response_time"] < 2000
    assert "tls_cert_days_left" not in got
    assert all(s.time == clock.now().timestamp() for s in samples)
    assert collector.last_error is None


async def test_a_refused_connection_is_down_with_status_0_and_no_response_time(clock, http):
    with http_peer() as peer:
        url = peer.url
        peer.stop()
        collector = probe(clock, http, url)
        got = values(await collector.collect())
    assert got == {"service_health": 0, "http_status": 0, "error_rate": 100}
    assert collector.last_error.startswith("connection failed")  # type: ignore[union-attr]


async def test_a_slow_service_is_down_once_the_timeout_passes(clock, http):
    with http_peer(delay=3) as peer:
        collector = probe(clock, http, peer.url, timeout=0.5)
        started = time.monotonic()
        got = values(await collector.collect())
        took = time.monotonic() - started
    assert got["service_health"] == 0 and got["http_status"] == 0
    assert collector.last_error == "timed out after 0.5s"
    assert took < 2  # the probe gave up at its timeout, not when the service answered


async def test_a_500_is_down_with_its_status_and_response_time(clock, http):
    with http_peer(status=500, body=b"boom") as peer:
        collector = probe(clock, http, peer.url)
        got = values(await collector.collect())
    assert got["service_health"] == 0
    assert got["http_status"] == 500
    assert got["response_time"] > 0
    assert collector.last_error == "HTTP 500, expected 2xx or 3xx"


async def test_an_expected_status_other_than_2xx_can_mean_up(clock, http):
    with http_peer(status=503) as peer:
        got = values(await probe(clock, http, peer.url, expected_status=503).collect())
    assert got["service_health"] == 1


@pytest.mark.parametrize(
    ("body", "options", "error"),
    [
        (b"status: degraded", {"keyword": "healthy"}, "keyword 'healthy' not in the body"),
        (
            b'{"checks": {"db": "down"}}',
            {"json_path": "checks.db", "json_value": "up"},
            "is 'down'",
        ),
        (b'{"checks": {}}', {"json_path": "checks.db"}, "JSON path checks.db not found"),
        (b"<html>", {"json_path": "status"}, "the body is not JSON"),
        (b'{"checks": {"db": "up"}}', {"json_path": "checks.db", "json_value": "up"}, None),
        (b"all healthy here", {"keyword": "healthy"}, None),
    ],
)
async def test_keyword_and_json_checks_decide_up_or_down(clock, http, body, options, error):
    with http_peer(body=body, content_type="application/json") as peer:
        collector = probe(clock, http, peer.url, **options)
        got = values(await collector.collect())
    assert got["http_status"] == 200
    assert got["service_health"] == (0 if error else 1)
    if error:
        assert error in collector.last_error  # type: ignore[operator]
    else:
        assert collector.last_error is None


async def test_error_rate_covers_the_last_n_probes(clock, http):
    with http_peer() as peer:
        collector = probe(clock, http, peer.url, error_window=4)
        rates = []
        for status in (200, 500, 500, 200, 200, 200, 200):
            peer.status = status
            rates.append(values(await collector.collect())["error_rate"])
            clock.advance(5)
    assert rates == pytest.approx([0, 50, 200 / 3, 50, 50, 25, 0])


async def test_recovery_clears_the_last_error(clock, http):
    with http_peer(status=500) as peer:
        collector = probe(clock, http, peer.url)
        await collector.collect()
        assert collector.last_error
        peer.status = 200
        await collector.collect()
    assert collector.last_error is None


async def test_a_trusted_certificate_is_read_from_the_probe_itself(clock, tmp_path):
    cert = make_certificate(tmp_path, days=30)
    with http_peer(tls=cert.server_context()) as peer:
        async with httpx.AsyncClient(verify=cert.client_context()) as trusting:
            collector = probe(clock, trusting, peer.url)
            got = values(await collector.collect())
            connections = peer.connections
    assert got["service_health"] == 1
    assert peer.url.startswith("https://")
    # openssl dates the certificate from the real now; the probe counts from the clock's now.
    expected = 30 + (time.time() - clock.now().timestamp()) / 86400
    assert got["tls_cert_days_left"] == pytest.approx(expected, abs=0.01)
    assert connections == 1  # no separate handshake


async def test_an_untrusted_certificate_is_down_yet_its_expiry_is_read_once_an_hour(
    clock, http, tmp_path
):
    cert = make_certificate(tmp_path, days=10)
    expected = 10 + (time.time() - clock.now().timestamp()) / 86400
    with http_peer(tls=cert.server_context()) as peer:
        collector = probe(clock, http, peer.url)
        first = values(await collector.collect())
        assert peer.connections == 2  # the probe (refused certificate) and one handshake
        assert "certificate verify failed" in collector.last_error  # type: ignore[operator]

        clock.advance(600)
        second = values(await collector.collect())
        assert peer.connections == 3  # only the probe: the reading is 10 minutes old

        clock.advance(3000)
        third = values(await collector.collect())
        assert peer.connections == 5  # an hour on: the probe and a fresh handshake
    assert first["service_health"] == 0 and first["http_status"] == 0
    assert first["tls_cert_days_left"] == pytest.approx(expected, abs=0.01)
    assert second["tls_cert_days_left"] == pytest.approx(expected - 600 / 86400, abs=0.01)
    assert third["tls_cert_days_left"] == pytest.approx(expected - 3600 / 86400, abs=0.01)


async def test_a_down_https_service_has_no_certificate_reading(clock, http, tmp_path):
    cert = make_certificate(tmp_path, days=10)
    with http_peer(tls=cert.server_context()) as peer:
        url = peer.url
    collector = probe(clock, http, url)
    got = values(await collector.collect())
    assert "tls_cert_days_left" not in got
    assert got["service_health"] == 0
