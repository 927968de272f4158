"""Hub idle cost: CPU share of one core and RSS of a real `tcf-hub serve` process (from /proc),
with the default collectors at the default 10 s interval and the default rules."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from tests.helpers import free_port

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def rss_mb(pid: int) -> float:
    """Resident set size of ``pid`` in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def run_idle(seconds: float) -> None:
    """Start a hub, let it settle, then measure ``seconds`` of steady state."""
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        exe = Path(sys.executable).parent / "tcf-hub"
        proc = subprocess.Popen(
            [
                str(exe),
                "serve",
                "--config",
                f"{tmp}/none",
                "--data-dir",
                f"{tmp}/data",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
            time.sleep(15)  # start-up work and the first collections are not "idle"
            cpu0, wall0 = cpu_seconds(proc.pid), time.monotonic()
            peak = rss_mb(proc.pid)
            end = wall0 + seconds
            while time.monotonic() < end:
                time.sleep(1)
                peak = max(peak, rss_mb(proc.pid))
            cpu = (cpu_seconds(proc.pid) - cpu0) / (time.monotonic() - wall0) * 100
            steady = rss_mb(proc.pid)
        finally:
            proc.terminate()
            proc.wait(20)
    print(f"idle hub over {seconds:.0f} s (default collectors every 10 s):")
    print(f"  CPU            {cpu:.3f} % of one core   (budget <= 0.1 %)")
    print(f"  RSS steady     {steady:.1f} MB            (budget <= 90 MB)")
    print(f"  RSS peak       {peak:.1f} MB")
