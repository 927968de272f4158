"""Notification benchmarks: outbox throughput on one core, and fault -> webhook delivered end
to end with real processes (a ``tcf-hub serve``, a failing service, a webhook receiver)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from litestar.testing import AsyncTestClient

from hub.app import create_app
from hub.lib.clock import ManualClock
from hub.notify.outbox import encode
from hub.store import upgrade
from tests.bench.hubproc import hub_process
from tests.channel_peers import Hook, hook
from tests.helpers import hub_settings
from tests.http_peers import http_peer
from tests.integration.test_channels import alert, note

RECEIVER = """
import time
from tests.channel_peers import Hook, hook
with hook() as peer:
    print(peer.url, flush=True)
    time.sleep(3600)
"""


async def _throughput(url: str, count: int) -> tuple[float, float, int]:
    clock = ManualClock(datetime(2026, 11, 26, 12, tzinfo=UTC))
    monitoring = (
        f"notify:\n  max_per_minute: 0\nchannels:\n  ops:\n    type: webhook\n"
        f"    url: {url}\n    max_per_minute: 0\n"
    )
    payload = encode(note(alert(1), alert(2, service="web"), alert(3, service="db")))
    with tempfile.TemporaryDirectory() as tmp:
        settings = hub_settings(Path(tmp), monitoring, "alerts: {}\n")
        app = create_app(settings, clock=clock, start_jobs=False, migrate=upgrade)
        async with AsyncTestClient(app=app):
            hub = app.state.hub
            async with hub.store.tx() as tx:
                for _ in range(count):
                    await tx.outbox.enqueue("ops", payload, None, clock.now())
            wall, cpu = time.perf_counter(), time.process_time()
            delivered = 0
            while await hub.deliverer.next_due() is not None:
                delivered += await hub.deliverer.deliver_due()
            return time.perf_counter() - wall, time.process_time() - cpu, delivered


def run_outbox_throughput(count: int = 3000) -> None:
    """Print notifications delivered per minute by one core (receiver on another process)."""
    cores = sorted(os.sched_getaffinity(0))
    receiver = subprocess.Popen([sys.executable, "-c", RECEIVER], stdout=subprocess.PIPE, text=True)
    try:
        assert receiver.stdout is not None
        url = receiver.stdout.readline().strip()
        if len(cores) > 1:  # the hub's side on one core, the receiver on the others
            os.sched_setaffinity(0, {cores[0]})
            os.sched_setaffinity(receiver.pid, set(cores[1:]))
        wall, cpu, delivered = asyncio.run(_throughput(url, count))
    finally:
        receiver.kill()
        receiver.wait()
        os.sched_setaffinity(0, set(cores))
    print(
        f"outbox: {delivered} webhook notifications (3 alerts each) in {wall:.2f} s: "
        f"{delivered / wall * 60:,.0f} per minute on one core "
        f"({cpu / delivered * 1000:.2f} ms CPU each; budget ≥ 1000 per minute)"
    )


ALERTS = """
alerts:
  service_down:
    metric: service_health
    threshold: 0
    duration: 0
    severity: critical
    message: Service is down
routes:
  group_by: [alertname, service]  # each run's service is a new group: group_wait applies
"""


def run_fault_to_webhook(runs: int = 5) -> None:
    """Print seconds from a service failing to the webhook receiving the notification, with
    a 5 s probe interval and ``duration: 0``; each run fails another service."""
    times = []
    with contextlib.ExitStack() as stack:
        tmp = stack.enter_context(tempfile.TemporaryDirectory())
        services = [stack.enter_context(http_peer()) for _ in range(runs)]
        receiver = stack.enter_context(hook())
        monitoring = "services:\n" + "".join(
            f"  api{i}:\n    url: {s.url}\n    interval: 5\n" for i, s in enumerate(services)
        )
        monitoring += f"channels:\n  ops:\n    type: webhook\n    url: {receiver.url}\n"
        hub = stack.enter_context(hub_process(Path(tmp), monitoring, alerts=ALERTS))
        hub.wait_healthy()
        time.sleep(6)  # at least one good probe of each
        for run, service in enumerate(services):
            seen = len(receiver.raw)
            service.status = 500
            failed = time.monotonic()
            times.append(_wait_for(receiver, seen, f"api{run}") - failed)
            print(f"  run {run + 1}: {times[-1]:.1f} s", flush=True)
            time.sleep(2.5)  # a different phase of the probe interval next time
        errors = hub.errors()
    worst, mean = max(times), sum(times) / len(times)
    print(
        f"fault -> webhook delivered: mean {mean:.1f} s, worst {worst:.1f} s over {runs} faults "
        f"(5 s probe interval, duration 0, group_wait 2 s; budget ≤ 10 s)"
        + (f"; hub errors: {errors}" if errors else "")
    )


def _wait_for(receiver: Hook, seen: int, service: str, timeout: float = 60.0) -> float:
    """When a firing notification about ``service`` arrived after the first ``seen``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for body in receiver.bodies[seen:]:
            if body["status"] == "firing" and body["groupLabels"].get("service") == service:
                return time.monotonic()
        time.sleep(0.02)
    raise RuntimeError(f"no notification about {service} within {timeout:g} s")
