"""Cost of one HTTP probe and one /metrics scrape on the hub's side: CPU time of this process
only, the target served by another process on 127.0.0.1 (keep-alive, as in steady state)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time

from hub.collectors.http import HttpProbe
from hub.collectors.scrape import Scraper
from hub.domain.config import ServiceConfig
from hub.lib.clock import ManualClock
from hub.lib.http import create_client

TARGET = """
import time
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from tests.http_peers import http_peer

registry = CollectorRegistry()
gauge = Gauge("queue_depth", "Depth", ["queue"], registry=registry)
counter = Counter("requests", "Requests", ["path"], registry=registry)
histogram = Histogram("latency_seconds", "Latency", ["path"], registry=registry)
for i in range(400):
    gauge.labels(str(i)).set(i)
    counter.labels(f"/{i}").inc(i)
for i in range(20):
    histogram.labels(f"/{i}").observe(i / 10)
with http_peer(registry=registry, body=b'{"status": "ok"}') as peer:
    print(peer.base, flush=True)
    time.sleep(600)
"""


async def _measure(base: str, probes: int, scrapes: int) -> None:
    clock = ManualClock()
    async with create_client() as http:
        config = ServiceConfig(url=f"{base}/health", json_path="status", json_value="ok")
        probe = HttpProbe("api", config, clock, http)
        await probe.collect()  # connect once: steady state reuses the connection
        started = time.process_time()
        for _ in range(probes):
            await probe.collect()
            clock.advance(30)
        per_probe = (time.process_time() - started) / probes
        print(
            f"probe (JSON check): {per_probe * 1000:.2f} ms CPU, "
            f"{per_probe / 30 * 100:.4f} % of a core at a 30 s interval"
        )

        config = ServiceConfig(url=f"{base}/health", metrics_url=f"{base}/metrics")
        scraper = Scraper("api", config, clock, http)
        await scraper.collect()
        clock.advance(30)
        started = time.process_time()
        for _ in range(scrapes):
            samples = await scraper.collect()
            clock.advance(30)
        per_scrape = (time.process_time() - started) / scrapes
        print(
            f"scrape of 400 gauges, 400 counters, 20 histograms ({len(samples)} samples): "
            f"{per_scrape * 1000:.1f} ms CPU, {per_scrape / 30 * 100:.3f} % of a core at 30 s"
        )


def run_probes(probes: int = 300, scrapes: int = 30) -> None:
    """Print the CPU cost of a probe and of a scrape."""
    target = subprocess.Popen([sys.executable, "-c", TARGET], stdout=subprocess.PIPE, text=True)
    try:
        assert target.stdout is not None
        base = target.stdout.readline().strip()
        asyncio.run(_measure(base, probes, scrapes))
    finally:
        target.kill()
        target.wait()


if __name__ == "__main__":
    run_probes()
