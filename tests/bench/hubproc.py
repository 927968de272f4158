"""A real ``tcf-hub serve`` process for benchmarks, and its CPU time and RSS read from /proc."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# As tests/bench/idle.py; repeated so that load generators need not import the app (seconds).
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


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


CHAINED = ("During handling", "The above exception")


@dataclass
class HubProcess:
    """A hub serving on 127.0.0.1; ``token`` is its admin token."""

    proc: subprocess.Popen[bytes]
    url: str
    data_dir: Path
    log: Path

    @property
    def pid(self) -> int:
        """The hub's process id (what /proc is read for)."""
        return self.proc.pid

    @property
    def token(self) -> str:
        """The admin token the hub wrote at first start."""
        return (self.data_dir / "admin.token").read_text().strip()

    def wait_healthy(self, timeout: float = 90.0) -> None:
        """Block until ``GET /healthz`` answers 200; raise if the hub exits or never does."""
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"the hub exited ({self.proc.returncode}) at start:\n"
                    f"{self.log.read_text()[-2000:]}"
                )
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the hub did not answer /healthz within {timeout:g} s")
            time.sleep(0.1)

    def errors(self) -> list[str]:
        """The exception line of each traceback in the hub's log (what went wrong)."""
        found, inside = [], False
        for line in self.log.read_text(errors="replace").splitlines():
            if line.startswith("Traceback"):
                inside = True
            elif inside and line[:1] not in ("", " ", "\t") and not line.startswith(CHAINED):
                found.append(line)
                inside = False
        return found

    def api(self) -> httpx.Client:
        """A client with the admin token."""
        return httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {self.token}"}, timeout=10
        )


@contextlib.contextmanager
def hub_process(
    folder: Path,
    monitoring: str = "",
    env: Mapping[str, str] | None = None,
    wrapper: tuple[str, ...] = (),
    alerts: str | None = None,
    code: Path | None = None,
) -> Iterator[HubProcess]:
    """Start ``tcf-hub serve`` with ``monitoring`` as its monitoring.yml (default rules) in
    ``folder``; stop it (SIGTERM) when the block ends. Call ``wait_healthy`` before use (hubs
    started together can then start in parallel).

    Args:
        folder: an empty directory for the config and data dirs.
        monitoring: text of monitoring.yml.
        env: the hub's environment (default: this process's).
        wrapper: arguments put before the hub's command (a profiler), which then runs it as
            ``python -m hub``.
        alerts: text of alerts.yml (default: the built-in rules).
        code: a folder holding another version of the ``hub`` package (``git archive`` of an
            older commit, with hub/web/dist): runs that one, for before/after comparisons.
    """
    config, data = folder / "config", folder / "data"
    config.mkdir(parents=True)
    (config / "monitoring.yml").write_text(monitoring)
    if alerts is not None:
        (config / "alerts.yml").write_text(alerts)
    port = free_port()
    environment = dict(env if env is not None else os.environ)
    if code is not None:
        environment["PYTHONPATH"] = str(code)
    if wrapper or code is not None:
        command = [*wrapper, sys.executable, "-m", "hub"]
    else:
        command = [str(Path(sys.executable).parent / "tcf-hub")]
    args = ["serve", "--config", str(config), "--data-dir", str(data), "--port", str(port)]
    log = (folder / "hub.log").open("wb")
    proc = subprocess.Popen(
        [*command, *args, "--log-level", "warning"],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=environment,
        cwd=code,  # ``python -m`` puts the working directory first on the path
    )
    try:
        yield HubProcess(proc, f"http://127.0.0.1:{port}", data, folder / "hub.log")
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@dataclass
class Usage:
    """CPU and memory of one process over one window."""

    seconds: float
    cpu_seconds: float
    rss_mb: float
    """RSS at the end of the window."""
    rss_peak_mb: float

    @property
    def cpu_percent(self) -> float:
        """Share of one core, in %."""
        return self.cpu_seconds / self.seconds * 100


@dataclass
class Meter:
    """Measures several processes over the same window: ``start()``, ``tick()`` about once a
    second (tracks peak RSS), ``stop()``."""

    pids: dict[str, int]
    _cpu0: dict[str, float] = field(default_factory=dict)
    _peak: dict[str, float] = field(default_factory=dict)
    _wall0: float = 0.0

    def start(self) -> None:
        """Begin a window."""
        self._wall0 = time.monotonic()
        self._cpu0 = {name: cpu_seconds(pid) for name, pid in self.pids.items()}
        self._peak = {name: rss_mb(pid) for name, pid in self.pids.items()}

    def tick(self) -> None:
        """Sample RSS for the peaks."""
        for name, pid in self.pids.items():
            self._peak[name] = max(self._peak[name], rss_mb(pid))

    def stop(self) -> dict[str, Usage]:
        """End the window: each process's usage over it."""
        self.tick()
        wall = time.monotonic() - self._wall0
        return {
            name: Usage(wall, cpu_seconds(pid) - self._cpu0[name], rss_mb(pid), self._peak[name])
            for name, pid in self.pids.items()
        }

    def window(self, seconds: float) -> dict[str, Usage]:
        """Measure for ``seconds`` (sleeping here), ticking once a second."""
        self.start()
        end = self._wall0 + seconds
        while (left := end - time.monotonic()) > 0:
            time.sleep(min(1.0, left))
            self.tick()
        return self.stop()
