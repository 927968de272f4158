"""A real service probed and scraped by the running hub: its series reach /metrics as valid
Prometheus text, and when it dies the seed's service_down rule notifies a real receiver."""

from __future__ import annotations

import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.parser import text_string_to_metric_families

from tests.helpers import hub_settings, receiver, serve_hub
from tests.http_peers import http_peer

SERVICE_DOWN = (
    "alerts:\n  service_down:\n    metric: service_health\n    threshold: 0\n"
    "    duration: 0\n    severity: critical\n    message: Service is down\n"
)


def hub_metrics(hub) -> dict[str, list]:
    with hub.api() as api:
        response = api.get("/metrics")
    assert response.status_code == 200
    # The whole exposition parses; every family name appears once.
    families = list(text_string_to_metric_families(response.text))
    assert len({f.name for f in families}) == len(families)
    return {f.name: f.samples for f in families}


def wait_for(predicate, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.2)


def test_probed_and_scraped_service_reaches_metrics_and_its_death_fires_service_down(tmp_path):
    registry = CollectorRegistry()
    requests = Counter("http_requests", "Requests", ["path"], registry=registry)
    Gauge("queue_depth", "Depth", registry=registry).set(4)
    latency = Histogram("latency_seconds", "Latency", registry=registry)
    with receiver() as webhook, http_peer(registry=registry, body=b'{"status": "ok"}') as peer:
        settings = hub_settings(
            tmp_path,
            f"services:\n  api:\n    url: {peer.url}\n    interval: 1s\n"
            f"    metrics_url: {peer.metrics_url}\n    json_path: status\n    json_value: ok\n"
            f"channels:\n  ops:\n    type: webhook\n    url: {webhook.url}\n",
            SERVICE_DOWN,
        )
        with serve_hub(settings) as hub:

            def scraped_rates():
                requests.labels("/").inc(5)
                latency.observe(0.2)
                metrics = hub_metrics(hub)
                wanted = {"tcf_http_requests_rate", "tcf_latency_seconds"}
                return metrics if wanted <= set(metrics) else None

            metrics = wait_for(scraped_rates)
            (health,) = metrics["tcf_service_health"]
            assert health.labels == {"service": "api"} and health.value == 1
            assert metrics["tcf_http_status_code"][0].value == 200
            assert metrics["tcf_scrape_up"][0].value == 1
            assert metrics["tcf_queue_depth"][0].labels == {"service": "api"}
            assert metrics["tcf_http_requests_rate"][0].labels == {"path": "/", "service": "api"}
            quantiles = {s.labels["quantile"]: s.value for s in metrics["tcf_latency_seconds"]}
            assert set(quantiles) == {"0.5", "0.9", "0.99"}
            assert all(0.1 < v <= 0.25 for v in quantiles.values())  # observed 0.2 s each time
            assert 0 < metrics["tcf_response_time_seconds"][0].value < 2

            peer.stop()
            started = time.monotonic()
            (body,) = webhook.wait(1, timeout=30)
            down_to_webhook = time.monotonic() - started
            (alert,) = body["alerts"]
            assert alert["status"] == "firing"
            assert alert["labels"]["alertname"] == "service_down"
            assert alert["labels"]["service"] == "api"
            assert down_to_webhook < 10

            def scrape_down():
                metrics = hub_metrics(hub)
                return metrics if metrics["tcf_scrape_up"][0].value == 0 else None

            metrics = wait_for(scrape_down)
            assert metrics["tcf_service_health"][0].value == 0
            assert metrics["tcf_http_status_code"][0].value == 0
