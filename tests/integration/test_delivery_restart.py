"""At least once across a crash: a hub killed (SIGKILL) while a webhook is in flight sends it
again after the restart, once, with the same groupKey; the restart causes no storm."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from tests.bench.hubproc import HubProcess, free_port
from tests.channel_peers import Answer, hook
from tests.http_peers import http_peer

ALERTS = """
alerts:
  service_down:
    metric: service_health
    threshold: 0
    duration: 0
    severity: critical
"""


@contextlib.contextmanager
def serve(folder: Path, port: int) -> Iterator[HubProcess]:
    log = (folder / "hub.log").open("ab")
    command = [str(Path(sys.executable).parent / "tcf-hub"), "serve"]
    args = ["--config", str(folder / "config"), "--data-dir", str(folder / "data")]
    proc = subprocess.Popen(
        [*command, *args, "--port", str(port), "--log-level", "warning"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield HubProcess(proc, f"http://127.0.0.1:{port}", folder / "data", folder / "hub.log")
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(30)
        log.close()


def test_a_hub_killed_mid_delivery_sends_after_restart_once(tmp_path):
    with http_peer(status=500) as service, hook(Answer(200, delay=60)) as receiver:
        config = tmp_path / "config"
        config.mkdir()
        (config / "monitoring.yml").write_text(
            f"services:\n  api:\n    url: {service.url}\n    interval: 1\n"
            f"channels:\n  ops:\n    type: webhook\n    url: {receiver.url}\n    timeout: 120\n"
        )
        (config / "alerts.yml").write_text(ALERTS)
        port = free_port()
        with serve(tmp_path, port) as hub:
            hub.wait_healthy()
            receiver.wait(1, timeout=60)  # the webhook is in flight (the receiver stalls)
            os.kill(hub.pid, signal.SIGKILL)
            hub.proc.wait(10)
        with serve(tmp_path, port) as hub:
            hub.wait_healthy()
            receiver.wait(2, timeout=60)
            time.sleep(5)  # a storm would show here: the service is still down
            errors = hub.errors()
        bodies = receiver.bodies
    assert len(bodies) == 2, [b["status"] for b in bodies]
    assert bodies[0]["groupKey"] == bodies[1]["groupKey"]
    assert bodies[1]["alerts"][0]["fingerprint"] == bodies[0]["alerts"][0]["fingerprint"]
    assert errors == []
