"""Hub cost while watching things: CPU share of one core and RSS (from /proc) of a real
``tcf-hub serve`` with the default collectors, 20 HTTP services and 10 extra containers at the
default intervals, next to a hub with neither, measured over the same windows (the machine is
shared and noisy: compare the two within a window)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.bench.hubproc import HubProcess, Meter, Usage, hub_process
from tests.bench.profile import Profiler

ROOT = Path(__file__).resolve().parents[2]
ENGINE_DIR = str(Path(tempfile.gettempdir()) / "tcf-bench-dockerd")
"""The recipe's engine for this benchmark, apart from the one the Docker tests use."""
IMAGE = "localhost/bb:latest"
"""The busybox image tests/dockerd-up.sh imports."""
CONTAINER_PREFIX = "tcf-bench-"


@dataclass
class Engine:
    """A Docker Engine to watch, or why there is none."""

    host: str | None
    note: str


@contextlib.contextmanager
def http_services(count: int) -> Iterator[list[str]]:
    """``count`` HTTP services on 127.0.0.1, one port each, answering ``GET /health`` with a
    small JSON body (keep-alive, like real services); yields their health URLs."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            body = b'{"status":"ok"}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    servers = [ThreadingHTTPServer(("127.0.0.1", 0), Handler) for _ in range(count)]
    for server in servers:
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield [f"http://127.0.0.1:{s.server_address[1]}/health" for s in servers]
    finally:
        stoppers = [threading.Thread(target=s.shutdown) for s in servers]  # 0.5 s poll each
        for thread in stoppers:
            thread.start()
        for thread, server in zip(stoppers, servers, strict=True):
            thread.join()
            server.server_close()


def _docker(host: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["docker", *args],
        env={**os.environ, "DOCKER_HOST": host},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@contextlib.contextmanager
def docker_engine() -> Iterator[Engine]:
    """The engine in ``DOCKER_HOST`` when it answers; else, as root, the recipe's engine
    (tests/dockerd-up.sh on its own socket, stopped afterwards); else none, with the reason."""
    given = os.environ.get("DOCKER_HOST")
    if not shutil.which("docker"):
        yield Engine(None, "no docker CLI on this machine")
        return
    if given and _docker(given, "version").returncode == 0:
        yield Engine(given, f"the engine at DOCKER_HOST={given}")
        return
    if os.geteuid() != 0:
        yield Engine(None, "not root: the recipe's dockerd cannot be started")
        return
    env = {**os.environ, "ENGINE_DIR": ENGINE_DIR}
    up = subprocess.run(
        ["bash", str(ROOT / "tests/dockerd-up.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    try:
        lines = [x for x in up.stdout.splitlines() if x.startswith("export DOCKER_HOST=")]
        if up.returncode != 0 or not lines:
            yield Engine(None, f"tests/dockerd-up.sh failed: {up.stderr.strip()[-300:]}")
        else:
            yield Engine(lines[-1].split("=", 1)[1], "the recipe's dockerd (tests/dockerd-up.sh)")
    finally:
        subprocess.run(
            ["bash", str(ROOT / "tests/dockerd-down.sh")],
            env=env,
            capture_output=True,
            timeout=120,
            check=False,
        )


@contextlib.contextmanager
def containers(host: str, count: int) -> Iterator[list[str]]:
    """``count`` extra busybox containers sleeping on the engine at ``host``."""
    names = [f"{CONTAINER_PREFIX}{n}" for n in range(count)]
    _docker(host, "rm", "-f", *names)  # left by an interrupted run
    try:
        with ThreadPoolExecutor(4) as pool:
            runs = pool.map(
                lambda name: _docker(host, "run", "-d", "--name", name, IMAGE, "sleep", "3600"),
                names,
            )
            failed = [run.stderr.strip() for run in runs if run.returncode != 0]
        if failed:
            raise RuntimeError(f"docker run: {failed[0]}")
        yield names
    finally:
        _docker(host, "rm", "-f", *names)


def monitoring_yml(urls: list[str], docker: bool) -> str:
    """A monitoring.yml watching ``urls`` at the default service interval."""
    lines = [f"collection:\n  docker: {'auto' if docker else 'off'}"]
    if urls:
        lines.append("services:")
        lines += [f"  svc{n:02d}:\n    url: {url}" for n, url in enumerate(urls)]
    return "\n".join(lines) + "\n"


def watched(hub: HubProcess) -> tuple[int, int, int]:
    """(services up, services, containers) in the hub's topology: proof that it collects."""
    with hub.api() as api:
        nodes = api.get("/api/v1/topology").raise_for_status().json()["nodes"]
    services = [n for n in nodes if n["kind"] == "service"]
    up = sum(n["health"] == "up" for n in services)
    return up, len(services), sum(n["kind"] == "container" for n in nodes)


VARIANTS = ("both", "services", "containers", "bare")
"""The hubs measured side by side: the benchmark's hub, each half of its load alone, neither."""


@dataclass
class CollectorFigures:
    """Usage per hub and window, and what the loaded hub was seen watching."""

    usage: dict[str, list[Usage]]
    services_up: int
    services_seen: int
    containers_seen: int
    engine: Engine


def run_collectors(
    seconds: float = 60.0,
    runs: int = 2,
    services: int = 20,
    extra_containers: int = 10,
    warmup: float = 25.0,
    variants: tuple[str, ...] = VARIANTS,
    profile: str | None = None,
    baseline: Path | None = None,
) -> CollectorFigures:
    """Measure hubs side by side over ``runs`` windows of ``seconds``: with the services and
    the containers (the figure), with each alone (which costs what), with neither (the
    machine's noise); print and return each one's usage per window.

    Args:
        warmup: seconds before measuring: start-up and the first collections are not steady
            state.
        variants: which of ``VARIANTS`` to run; ``both`` always is, the ratio needs ``bare``.
        profile: a py-spy executable: the loaded hub is sampled during the first window and
            where its time went is printed.
        baseline: another version of the code (see ``hub_process``): a ``before`` hub runs it
            with the services and containers beside ``both``, in the same windows.
    """
    variants = tuple(v for v in VARIANTS if v in {*variants, "both"})
    if baseline is not None:
        variants = ("before", *variants)
    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        urls = stack.enter_context(http_services(services))
        engine = Engine(None, "none asked for")
        if extra_containers:
            engine = stack.enter_context(docker_engine())
        env = {k: v for k, v in os.environ.items() if k != "DOCKER_HOST"}
        if engine.host:
            stack.enter_context(containers(engine.host, extra_containers))
        hubs: dict[str, HubProcess] = {}
        for name in variants:
            docker = engine.host is not None and name in ("both", "containers", "before")
            hubs[name] = stack.enter_context(
                hub_process(
                    tmp / name,
                    monitoring_yml(urls if name in ("both", "services", "before") else [], docker),
                    env={**env, "DOCKER_HOST": engine.host} if docker and engine.host else env,
                    code=baseline if name == "before" else None,
                )
            )
        for hub in hubs.values():
            hub.wait_healthy(300)  # several hubs starting at once on a loaded machine
        meter = Meter({name: hub.pid for name, hub in hubs.items()})
        meter.window(warmup)
        profiler = Profiler(profile, tmp / "profile.txt") if profile else None
        usage: dict[str, list[Usage]] = {name: [] for name in variants}
        for run in range(runs):
            if profiler and run == 0:
                profiler.start(hubs["both"].pid, seconds)
            for name, used in meter.window(seconds).items():
                usage[name].append(used)
        up, seen, containers_seen = watched(hubs["both"])
        figures = CollectorFigures(usage, up, seen, containers_seen, engine)
        _report(figures, services, extra_containers, seconds, warmup)
        if profiler:
            profiler.report()
    return figures


def _report(f: CollectorFigures, services: int, extra: int, seconds: float, warmup: float) -> None:
    runs = len(f.usage["both"])
    print(
        f"collectors: a hub watching {f.services_seen} HTTP services ({f.services_up} up, "
        f"every 30 s) and {f.containers_seen} containers (every 10 s) beside hubs with less; "
        f"{runs} windows of {seconds:.0f} s after {warmup:.0f} s"
    )
    if f.engine.host:
        print(f"  containers: {extra} extra busybox ones on {f.engine.note}")
    elif extra:
        print(f"  NO CONTAINERS: {f.engine.note}; measured without Docker")
    if f.services_up != services:
        print(f"  WARNING: {f.services_up} of {services} services up at the end")
    names = list(f.usage)
    print("  CPU % of one core (RSS MB at the end) per window:")
    print("    window" + "".join(f"{name:>20}" for name in names))
    for n in range(runs):
        cells = [f.usage[name][n] for name in names]
        print(
            f"    {n + 1:>6}"
            + "".join(f"{f'{u.cpu_percent:.3f} ({u.rss_mb:.1f})':>20}" for u in cells)
        )
    cpu = [u.cpu_percent for u in f.usage["both"]]
    bare = [u.cpu_percent for u in f.usage.get("bare", [])]
    rss = [u.rss_peak_mb for u in f.usage["both"]]
    ratio = [c / b for c, b in zip(cpu, bare, strict=False) if b]
    before = [u.cpu_percent for u in f.usage.get("before", [])]
    if before:
        cut = [b / c for c, b in zip(cpu, before, strict=False) if c]
        print(
            f"  before (baseline code, same windows): CPU {_span(before, 3)} %; "
            f"now {_span(cut, 1)} x less; RSS peak "
            f"{max(u.rss_peak_mb for u in f.usage['before']):.1f} MB"
        )
    print(
        f"  hub with services and containers: CPU {_span(cpu, 3)} % of one core "
        f"(budget <= 0.1 %), {_span(ratio, 1)} x the bare hub's ({_span(bare, 3)} %); "
        f"RSS peak {max(rss):.1f} MB (budget <= 90 MB)"
    )


def _span(values: list[float], digits: int) -> str:
    if not values:
        return "n/a"
    low, high = f"{min(values):.{digits}f}", f"{max(values):.{digits}f}"
    return low if low == high else f"{low} - {high}"
