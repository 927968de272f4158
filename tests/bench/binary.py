"""The one-file binary's budgets: size, and time to the first ``/healthz`` 200 (fresh data dir,
then an existing store), with the CPU its processes used by then (the start-up an idle machine
would see; wall time on a shared machine includes waiting for a core)."""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
import psutil

from tests.bench.hubproc import free_port

BINARY = Path(__file__).resolve().parents[2] / "dist" / "tcf-hub"


def first_200(binary: Path, home: str) -> tuple[float, float]:
    """Start ``binary serve`` with ``HOME=home``; wall and CPU seconds until /healthz is 200."""
    port = free_port()
    env = {**os.environ, "HOME": home}
    start = time.monotonic()
    process = subprocess.Popen(
        [str(binary), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    tree = psutil.Process(process.pid)
    try:
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.02)
        wall = time.monotonic() - start
        cpu = 0.0
        for member in [tree, *tree.children(recursive=True)]:
            used = member.cpu_times()
            cpu += used.user + used.system + used.children_user + used.children_system
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    return wall, cpu


def run_binary(starts: int = 3) -> None:
    """Print the binary's size and ``starts`` start-up times (the first on a fresh data dir)."""
    if not BINARY.is_file():
        print("binary: dist/tcf-hub is not built (make package); skipped")
        return
    print(f"binary: {BINARY.stat().st_size / 1e6:.1f} MB (budget 60 MB)")
    with tempfile.TemporaryDirectory() as home:
        for run in range(starts):
            wall, cpu = first_200(BINARY, home)
            case = "fresh data dir" if run == 0 else "existing store"
            print(f"binary: first /healthz 200 after {wall:.2f} s wall, {cpu:.2f} s CPU ({case})")
    print(f"binary: load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
