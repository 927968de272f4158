"""Load on one hub (issue 8): N dashboards following the live stream (SSE), M agents pushing a
batch every 10 s (``--interval``), a request loop on the series API, and an alarm raised and
cleared every 20 s through an agent batch, timed until its webhook notification arrives.
Everything on 127.0.0.1, bounded in time; the hub is a real ``tcf-hub serve``.

    python -m tests.bench load --seconds 300 --sse 200 --agents 500
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

from hub.domain.ingest import encode_batch
from hub.domain.samples import Sample
from tests.bench.hubproc import HubProcess, Meter, hub_process
from tests.bench.ingest import Load, _agent

ALERTS = """
routes:
  group_by: ['...']   # every alarm its own group: each is notified after group_wait (2 s)
alerts:
  load_alarm:
    metric: load_alarm
    threshold: 0.5
    duration: 0
    severity: critical
    message: load alarm
"""
ALARM_EVERY = 20.0
"""Seconds between alarms; each is cleared half-way."""


@dataclass
class Hook:
    """A webhook receiver on 127.0.0.1 noting when each alarm's notification arrived."""

    url: str = ""
    arrived: dict[tuple[str, str], float] = field(default_factory=dict)
    """(episode, status) -> time.time() of arrival."""


def _serve_hook(hook: Hook) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            now = time.time()
            for alert in body.get("alerts", []):
                key = (alert["labels"].get("ep", ""), alert["status"])
                hook.arrived.setdefault(key, now)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    hook.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@dataclass
class Observed:
    """What the clients saw."""

    sse_events: Counter[int] = field(default_factory=Counter)
    sse_errors: Counter[str] = field(default_factory=Counter)
    series_ms: list[float] = field(default_factory=list)
    series_errors: Counter[str] = field(default_factory=Counter)
    alarms: dict[tuple[str, str], float] = field(default_factory=dict)
    """(episode, "firing") -> time.time() the batch raising the alarm was answered."""


async def _dashboard(n: int, url: str, token: str, end: float, seen: Observed) -> None:
    """One dashboard: follows /api/v1/events until ``end``, counting events."""
    headers = {"Authorization": f"Bearer {token}"}
    timeout = httpx.Timeout(10.0, read=60.0)
    try:
        async with (
            httpx.AsyncClient(timeout=timeout) as client,
            client.stream("GET", f"{url}/api/v1/events", headers=headers) as stream,
        ):
            if stream.status_code != 200:
                seen.sse_errors[f"HTTP {stream.status_code}"] += 1
                return
            async for line in stream.aiter_lines():
                if line.startswith("event:"):
                    seen.sse_events[n] += 1
                if time.monotonic() > end:
                    return
        seen.sse_errors["stream ended early"] += 1
    except httpx.HTTPError as error:
        seen.sse_errors[type(error).__name__] += 1


async def _series_loop(url: str, token: str, end: float, seen: Observed) -> None:
    """Back-to-back range queries (the dashboard's charts), like wrk with one connection."""
    headers = {"Authorization": f"Bearer {token}"}
    queries = [
        {"match": "cpu_usage"},
        {"match": "memory_usage", "points": "300"},
        {"match": 'network_io{direction="rx"}', "points": "300"},
    ]
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=10.0) as client:
        n = 0
        while time.monotonic() < end:
            began = time.monotonic()
            try:
                response = await client.get("/api/v1/series", params=queries[n % len(queries)])
                if response.status_code != 200:
                    seen.series_errors[f"HTTP {response.status_code}"] += 1
            except httpx.HTTPError as error:
                seen.series_errors[type(error).__name__] += 1
            seen.series_ms.append((time.monotonic() - began) * 1000)
            n += 1


async def _alarms(url: str, token: str, end: float, seen: Observed) -> None:
    """Raise an alarm every ALARM_EVERY seconds and clear it half-way, as an agent would."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/msgpack"}
    async with httpx.AsyncClient(timeout=10.0) as client:
        episode = 0
        while time.monotonic() + ALARM_EVERY <= end:
            for value, status in ((1.0, "firing"), (0.0, "resolved")):
                now = time.time()
                sample = Sample("load_alarm", {"ep": str(episode)}, value, now)
                response = await client.post(
                    f"{url}/api/v1/ingest",
                    content=encode_batch("alarm-agent", [sample]),
                    headers=headers,
                )
                # Timed: the alarm going off. Its clearing is notified at the group's next
                # group_interval tick (5 min, as Alertmanager), so it is sent but not timed.
                if response.status_code == 200 and status == "firing":
                    seen.alarms[(str(episode), status)] = now
                await asyncio.sleep(ALARM_EVERY / 2)
            episode += 1


async def _drive(
    hub: HubProcess,
    token: str,
    sse: int,
    agents: int,
    series: int,
    seconds: float,
    interval: float,
) -> tuple[Observed, Load, dict[str, float]]:
    seen, load = Observed(), Load()
    start = time.monotonic()
    end = start + seconds
    first = start + 0.5
    tasks = [
        asyncio.create_task(
            _agent(n, hub.url, token, series, interval, first + interval * n / agents, load)
        )
        for n in range(agents)
    ]
    clients = [
        asyncio.create_task(_dashboard(n, hub.url, hub.token, end, seen)) for n in range(sse)
    ]
    clients.append(asyncio.create_task(_series_loop(hub.url, hub.token, end, seen)))
    clients.append(asyncio.create_task(_alarms(hub.url, token, end, seen)))
    meter = Meter({"hub": hub.pid, "generator": os.getpid()})
    meter.start()
    try:
        while (left := end - time.monotonic()) > 0:
            await asyncio.sleep(min(1.0, left))
            meter.tick()
        usages = meter.stop()
        usage, generator = usages["hub"], usages["generator"]
        await asyncio.wait_for(asyncio.gather(*clients, return_exceptions=True), 60)
    finally:
        for task in [*tasks, *clients]:
            task.cancel()
        await asyncio.gather(*tasks, *clients, return_exceptions=True)
    return (
        seen,
        load,
        {
            "cpu": usage.cpu_percent,
            "rss": usage.rss_mb,
            "rss_peak": usage.rss_peak_mb,
            "generator_cpu": generator.cpu_percent,
        },
    )


def _wait_for_file(path: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.5)
    time.sleep(2)  # let it finish writing


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@dataclass
class LoadFigures:
    """What the benchmark reports."""

    sse_clients: int
    sse_min_events: int
    sse_errors: Counter[str]
    agents: int
    batches: int
    batch_errors: int
    batch_error_kinds: Counter[str]
    batch_p99_ms: float
    batches_reused: int
    """Batches sent on a kept-alive connection (the rest opened a new one)."""
    batch_error_idle: list[float | None]
    """For each failed batch, how long its kept-alive connection had been idle (None: new)."""
    series_requests: int
    series_errors: Counter[str]
    series_p50_ms: float
    series_p99_ms: float
    notifications: int
    notifications_missing: int
    notify_p50_s: float
    notify_max_s: float
    cpu_percent: float
    rss_mb: float
    rss_peak_mb: float
    generator_cpu_percent: float
    """The load generator's own CPU: near 100 % it, not the hub, sets the pace."""
    hub_errors: Counter[str]

    @property
    def errors(self) -> int:
        """Every failure a client saw, plus exceptions in the hub's log."""
        return (
            sum(self.sse_errors.values())
            + self.batch_errors
            + sum(self.series_errors.values())
            + self.notifications_missing
            + sum(self.hub_errors.values())
        )


def run_load(
    seconds: float = 300.0,
    sse: int = 200,
    agents: int = 500,
    series: int = 20,
    *,
    interval: float = 10.0,
    baseline: Path | None = None,
    trace: Path | None = None,
) -> LoadFigures:
    """Start a hub, run the load for ``seconds``, report; nothing runs past ``seconds`` + 70.

    With ``baseline`` (a folder holding older code, see ``hub_process``) the same load runs
    on that code first, in the same invocation, for a before/after comparison. With ``trace``
    the hub runs under tracemalloc and its largest live allocations at the end of the load
    are written to that file."""
    if baseline is not None:
        print(f"baseline: {baseline}")
        _run_load(seconds, sse, agents, series, interval, code=baseline)
        print("this code:")
    return _run_load(seconds, sse, agents, series, interval, trace=trace)


def _run_load(
    seconds: float,
    sse: int,
    agents: int,
    series: int,
    interval: float,
    *,
    code: Path | None = None,
    trace: Path | None = None,
) -> LoadFigures:
    hook = Hook()
    server = _serve_hook(hook)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            monitoring = (
                "collection:\n  docker: off\n"
                f"channels:\n  hook:\n    type: webhook\n    url: {hook.url}\n"
            )
            traced: dict[str, object] = {}
            if trace is not None:
                traced = {
                    "wrapper": (sys.executable, "-m", "tests.bench.tracehub"),
                    "env": {**os.environ, "TCF_TRACE_OUT": str(trace.resolve())},
                }
            with hub_process(folder / "hub", monitoring, alerts=ALERTS, code=code, **traced) as hub:
                hub.wait_healthy()
                with hub.api() as api:
                    created = api.post("/api/v1/tokens", json={"name": "load", "scope": "ingest"})
                    token = created.raise_for_status().json()["token"]
                if trace is not None:
                    hub.proc.send_signal(signal.SIGUSR1)  # tracehub starts tracing
                seen, load, usage = asyncio.run(
                    _drive(hub, token, sse, agents, series, seconds, interval)
                )
                if trace is not None:
                    hub.proc.send_signal(signal.SIGUSR1)  # tracehub writes its snapshot
                    _wait_for_file(trace, 60)
                time.sleep(12)  # the last alarm's notification may still be on its way
                hub_errors = Counter(line[:150] for line in hub.errors())
    finally:
        server.shutdown()
        server.server_close()
    delays = [hook.arrived[k] - t for k, t in seen.alarms.items() if k in hook.arrived]
    figures = LoadFigures(
        sse_clients=sse,
        sse_min_events=min((seen.sse_events[n] for n in range(sse)), default=0),
        sse_errors=seen.sse_errors,
        agents=agents,
        batches=len(load.sent),
        batch_errors=sum(1 for s in load.sent if s.error),
        batch_error_kinds=Counter(s.error[:60] for s in load.sent if s.error),
        batch_p99_ms=_pct([s.latency * 1000 for s in load.sent], 0.99),
        batches_reused=sum(1 for s in load.sent if s.idle is not None),
        batch_error_idle=[s.idle for s in load.sent if s.error],
        series_requests=len(seen.series_ms),
        series_errors=seen.series_errors,
        series_p50_ms=statistics.median(seen.series_ms) if seen.series_ms else float("nan"),
        series_p99_ms=_pct(seen.series_ms, 0.99),
        notifications=len(delays),
        notifications_missing=len(seen.alarms) - len(delays),
        notify_p50_s=statistics.median(delays) if delays else float("nan"),
        notify_max_s=max(delays, default=float("nan")),
        cpu_percent=usage["cpu"],
        rss_mb=usage["rss"],
        rss_peak_mb=usage["rss_peak"],
        generator_cpu_percent=usage["generator_cpu"],
        hub_errors=hub_errors,
    )
    _report(figures, seconds, series, interval)
    return figures


def _report(f: LoadFigures, seconds: float, series: int, interval: float) -> None:
    print(f"load: {seconds:.0f} s on one hub (python -m tests.bench load)")
    print(
        f"  SSE dashboards: {f.sse_clients}, fewest events received by one: {f.sse_min_events}, "
        f"errors: {dict(f.sse_errors) or 0}"
    )
    print(
        f"  agents: {f.agents} x {series} series every {interval:g} s: {f.batches} batches, "
        f"{f.batch_errors} errors, p99 {f.batch_p99_ms:.0f} ms"
    )
    print(f"    sent on a kept-alive connection: {f.batches_reused}")
    if f.batch_error_kinds:
        print(f"    batch errors: {dict(f.batch_error_kinds.most_common(4))}")
        idle = ["new" if i is None else f"{i:.2f} s" for i in f.batch_error_idle[:20]]
        print(f"    their connection idle before sending: {', '.join(idle)}")
    print(
        f"  series API: {f.series_requests} requests, errors {dict(f.series_errors) or 0}, "
        f"p50 {f.series_p50_ms:.1f} ms, p99 {f.series_p99_ms:.1f} ms"
    )
    print(
        f"  notifications (alarm batch answered -> webhook received): {f.notifications}, "
        f"missing {f.notifications_missing}, p50 {f.notify_p50_s:.2f} s, max {f.notify_max_s:.2f} s"
    )
    print(
        f"  hub: CPU {f.cpu_percent:.0f} % of one core, RSS {f.rss_mb:.0f} MB "
        f"(peak {f.rss_peak_mb:.0f} MB), exceptions in its log: {dict(f.hub_errors) or 0}"
    )
    print(f"  load generator: CPU {f.generator_cpu_percent:.0f} % of one core")
    print(f"  errors in all: {f.errors}")
