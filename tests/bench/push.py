"""Fault → push accepted by a push service: a real ``tcf-hub serve`` probes a service every 5 s
(``duration: 0``); the service starts answering 503 and the time until the local push service
(VAPID verified, payload decrypted) accepts the push is measured. Budget: ≤ 10 s."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from tests.bench.hubproc import hub_process
from tests.http_peers import http_peer
from tests.push_service import push_service

ALERTS = (
    "alerts:\n  service_down:\n    metric: service_health\n    operator: '<'\n"
    "    threshold: 1\n    duration: 0\n    severity: critical\n"
    "    message: '{{ $labels.service }} is down'\n"
)
BUDGET = 10.0


def fault_to_push(folder: Path, interval: float = 5.0) -> float:
    """One hub, one fault just after a probe (so nearly a whole probe ``interval`` passes
    before the hub can see it): seconds until the push service accepts the push."""
    with http_peer() as api, push_service() as service:
        monitoring = (
            f"services:\n  api:\n    url: {api.url}\n    interval: {interval:g}s\n"
            "channels:\n  phones:\n    type: webpush\n"
        )
        with hub_process(folder, monitoring, alerts=ALERTS) as hub:
            hub.wait_healthy()
            with hub.api() as client:
                key = client.get("/api/v1/push/vapid-public-key").json()["public_key"]
                service.expected_key = key
                created = client.post("/api/v1/push/subscriptions", json=service.subscription())
                created.raise_for_status()
            # Let the hub see the service up first, so that the 503 is a change.
            while len(api.requests) < 1:
                time.sleep(0.05)
            fault = time.monotonic()
            api.status = 503
            (push,) = service.wait(1, timeout=60)
            if push.payload.get("title") != "[FIRING] service_down api" or service.refused:
                raise RuntimeError(f"unexpected push {push.payload!r}, refused {service.refused}")
            errors = hub.errors()
            if errors:
                raise RuntimeError(f"the hub logged errors: {errors}")
            return push.at - fault


def run_push(rounds: int = 3) -> None:
    """Print fault → push latencies over ``rounds`` fresh hubs, each faulted once."""
    seconds = []
    for number in range(rounds):
        with tempfile.TemporaryDirectory(prefix="tcf-bench-push-") as folder:
            seconds.append(fault_to_push(Path(folder) / str(number)))
    print(
        f"fault → push accepted (5 s probe, duration 0, {rounds} runs): "
        f"median {statistics.median(seconds):.2f} s, min {min(seconds):.2f} s, "
        f"max {max(seconds):.2f} s (budget {BUDGET:g} s: "
        f"{'ok' if max(seconds) <= BUDGET else 'OVER'})"
    )
