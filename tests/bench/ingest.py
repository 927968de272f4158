"""Agent ingest into one hub: 200 agents × 100 series every 10 s, each agent POSTing its
msgpack batch to ``/api/v1/ingest`` of a real ``tcf-hub serve`` (agents spread over the
interval, each with its own HTTP client as ``tcf-hub agent`` has); hub CPU per 1000 samples and
RSS from /proc, ingest latency as the agents see it. ``run_ingest_throughput``: how fast one
client can push batches back to back."""

from __future__ import annotations

import asyncio
import random
import statistics
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from hub.domain.ingest import encode_batch
from hub.domain.samples import Sample
from tests.bench.hubproc import HubProcess, Meter, Usage, hub_process
from tests.bench.profile import Profiler

HOST_SERIES: list[tuple[str, dict[str, str]]] = [
    ("cpu_usage", {}),
    ("memory_usage", {}),
    *(("disk_usage", {"mount": m}) for m in ("/", "/var", "/data")),
    *(("system_load", {"period": p}) for p in ("1m", "5m", "15m")),
    *(
        ("network_io", {"interface": i, "direction": d})
        for i in ("eth0", "eth1")
        for d in ("rx", "tx")
    ),
]
"""What an agent's system collector sends for a host with three mounts and two interfaces."""
CONTAINER_SERIES: list[tuple[str, dict[str, str]]] = [
    *((name, {}) for name in ("cpu_usage", "memory_usage", "memory_bytes", "restart_count")),
    *((name, {}) for name in ("container_running", "container_health", "container_uptime")),
    *(("network_io", {"direction": d}) for d in ("rx", "tx")),
    *(("block_io", {"direction": d}) for d in ("read", "write")),
]
"""What the Docker collector sends per container."""


def agent_series(count: int) -> list[tuple[str, dict[str, str]]]:
    """``count`` series of one agent: its host's, then its containers' (as many as fit)."""
    out = list(HOST_SERIES)
    container = 0
    while len(out) < count:
        out += [
            (name, {**labels, "container": f"app-{container}"}) for name, labels in CONTAINER_SERIES
        ]
        container += 1
    return out[:count]


@dataclass
class Sent:
    """One batch as the agent saw it."""

    done: float
    """``time.monotonic()`` when the answer came (or the request failed)."""
    latency: float
    lag: float
    """Seconds the send started after its slot (the agent fell behind)."""
    samples: int
    error: str | None = None
    idle: float | None = None
    """Seconds the connection had been idle when the batch went out on a kept-alive one (since
    this agent's previous answer), None on a new connection."""


@dataclass
class Load:
    """Every batch sent, in completion order."""

    sent: list[Sent] = field(default_factory=list)

    def between(self, start: float, end: float) -> list[Sent]:
        """Batches answered within [start, end)."""
        return [s for s in self.sent if start <= s.done < end]


class _ConnectTrace:
    """httpcore's ``trace`` extension: notes whether the request opened a new connection."""

    def __init__(self) -> None:
        self.opened = False

    async def __call__(self, event: str, info: dict[str, object]) -> None:
        if event == "connection.connect_tcp.started":
            self.opened = True


async def _agent(
    n: int, url: str, token: str, series: int, interval: float, first: float, load: Load
) -> None:
    """One agent: a batch of ``series`` samples every ``interval`` from ``first`` on."""
    rows = agent_series(series)
    rng = random.Random(n)
    values = [rng.uniform(5, 60) for _ in rows]
    name = f"agent-{n:03d}"
    slot = first
    previous: float | None = None
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/msgpack"}
    # As hub.lib.http.create_client: default pool, so a connection idle for 10 s is not reused.
    async with httpx.AsyncClient(timeout=httpx.Timeout(10.0)) as client:
        while True:
            await asyncio.sleep(max(0.0, slot - time.monotonic()))
            values = [max(0.0, min(75.0, v + rng.gauss(0, 1))) for v in values]
            now = time.time()
            body = encode_batch(
                name, [Sample(m, lab, v, now) for (m, lab), v in zip(rows, values, strict=True)]
            )
            began = time.monotonic()
            error = None
            connect = _ConnectTrace()
            try:
                response = await client.post(
                    f"{url}/api/v1/ingest",
                    content=body,
                    headers=headers,
                    extensions={"trace": connect},
                )
                if response.status_code != 200:
                    error = f"HTTP {response.status_code}: {response.text[:200]}"
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__}: {exc}"
            idle = None if connect.opened or previous is None else began - previous
            previous = done = time.monotonic()
            load.sent.append(Sent(done, done - began, began - slot, len(rows), error, idle))
            slot += interval


async def _drive(
    hub: HubProcess,
    token: str,
    agents: int,
    series: int,
    interval: float,
    warmup: float,
    seconds: float,
    profiler: Profiler | None,
) -> tuple[Load, Usage, float, float]:
    load = Load()
    t0 = time.monotonic() + 0.5
    tasks = [
        asyncio.create_task(
            _agent(n, hub.url, token, series, interval, t0 + interval * n / agents, load)
        )
        for n in range(agents)
    ]
    meter = Meter({"hub": hub.pid})
    try:
        await asyncio.sleep(t0 + warmup - time.monotonic())
        meter.start()
        start = time.monotonic()
        if profiler:
            profiler.start(hub.pid, seconds)
        end = start + seconds
        while (left := end - time.monotonic()) > 0:
            await asyncio.sleep(min(1.0, left))
            meter.tick()
        usage = meter.stop()["hub"]
        return load, usage, start, start + usage.seconds
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


@dataclass
class IngestFigures:
    """What the benchmark reports."""

    samples: int
    batches: int
    errors: int
    cpu_per_1000: float
    """Hub CPU seconds per 1000 samples ingested."""
    cpu_percent: float
    p50_ms: float
    p99_ms: float
    max_lag: float
    rss_mb: float
    rss_peak_mb: float
    target_rate: float
    rate: float
    hosts: int
    error_kinds: Counter[str]
    hub_errors: Counter[str]
    """Exceptions in the hub's log."""

    @property
    def keeps_up(self) -> bool:
        """All sent on time (no agent more than a second behind) at the target rate."""
        return self.max_lag < 1.0 and self.rate >= 0.95 * self.target_rate


def run_ingest(
    seconds: float = 60.0,
    agents: int = 200,
    series: int = 100,
    interval: float = 10.0,
    warmup: float = 15.0,
    profile: str | None = None,
    baseline: Path | None = None,
) -> IngestFigures:
    """Start a hub, run the agents for ``warmup`` + ``seconds``, measure the last ``seconds``.

    Args:
        profile: a py-spy executable: the hub is sampled during the window and where its time
            went is printed.
        baseline: another version of the code (see ``hub_process``) measured the same way
            just before this one, in the same run; the report gives the ratios.
    """
    before = None
    if baseline is not None:
        print(f"ingest, BEFORE (code in {baseline}):")
        before = _run_ingest(seconds, agents, series, interval, warmup, None, baseline)
        print("ingest, NOW:")
    now = _run_ingest(seconds, agents, series, interval, warmup, profile, None)
    if before is not None:
        print(
            f"  now vs before: CPU per 1000 samples {before.cpu_per_1000 / now.cpu_per_1000:.1f} x"
            f" less, p99 {before.p99_ms:.0f} -> {now.p99_ms:.0f} ms, errors {before.errors} -> "
            f"{now.errors}"
        )
    return now


def _run_ingest(
    seconds: float,
    agents: int,
    series: int,
    interval: float,
    warmup: float,
    profile: str | None,
    code: Path | None,
) -> IngestFigures:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        profiler = Profiler(profile, folder / "profile.txt") if profile else None
        with hub_process(folder / "hub", "collection:\n  docker: off\n", code=code) as hub:
            hub.wait_healthy()
            with hub.api() as api:
                created = api.post("/api/v1/tokens", json={"name": "bench", "scope": "ingest"})
                token = created.raise_for_status().json()["token"]
            load, usage, start, end = asyncio.run(
                _drive(hub, token, agents, series, interval, warmup, seconds, profiler)
            )
            with hub.api() as api:
                hosts = len(api.get("/api/v1/hosts", timeout=60).raise_for_status().json())
            hub_errors = Counter(line[:150] for line in hub.errors())
        figures = _figures(load, usage, start, end, agents * series / interval, hosts, hub_errors)
        _report(figures, agents, series, interval, seconds)
        if profiler:
            profiler.report()
    return figures


def _figures(
    load: Load,
    usage: Usage,
    start: float,
    end: float,
    target: float,
    hosts: int,
    hub_errors: Counter[str],
) -> IngestFigures:
    window = load.between(start, end)
    ok = [s for s in window if s.error is None]
    errors = [s for s in load.sent if s.error is not None]
    samples = sum(s.samples for s in ok)
    latencies = sorted(s.latency for s in window) or [0.0]
    return IngestFigures(
        samples=samples,
        batches=len(window),
        errors=len(errors),
        cpu_per_1000=usage.cpu_seconds / samples * 1000 if samples else float("inf"),
        cpu_percent=usage.cpu_percent,
        p50_ms=statistics.median(latencies) * 1000,
        p99_ms=latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        max_lag=max((s.lag for s in window), default=0.0),
        rss_mb=usage.rss_mb,
        rss_peak_mb=usage.rss_peak_mb,
        target_rate=target,
        rate=samples / usage.seconds,
        hosts=hosts,
        error_kinds=Counter((s.error or "")[:100] for s in errors),
        hub_errors=hub_errors,
    )


def _report(f: IngestFigures, agents: int, series: int, interval: float, seconds: float) -> None:
    print(
        f"ingest: {agents} agents x {series} series every {interval:g} s into one hub "
        f"(msgpack over HTTP), measured over {seconds:.0f} s:"
    )
    verdict = "keeps up" if f.keeps_up else "FALLS BEHIND"
    print(
        f"  {f.samples} samples in {f.batches} batches: {f.rate:,.0f} samples/s of "
        f"{f.target_rate:,.0f} wanted, agents at most {f.max_lag:.2f} s late: {verdict}"
    )
    print(
        f"  hub CPU {f.cpu_per_1000 * 1000:.1f} ms per 1000 samples ({f.cpu_percent:.1f} % of one "
        f"core; one core would take {1000 / f.cpu_per_1000:,.0f} samples/s at this cost)"
    )
    print(f"  latency seen by the agents: p50 {f.p50_ms:.1f} ms, p99 {f.p99_ms:.1f} ms")
    print(f"  errors {f.errors} (over the whole run, warm-up included)")
    for kind, count in f.error_kinds.most_common(5):
        print(f"    {count} x {kind}")
    for kind, count in f.hub_errors.most_common(5):
        print(f"    hub log: {count} x {kind}")
    print(f"  hub RSS {f.rss_mb:.1f} MB (peak {f.rss_peak_mb:.1f}; budget <= 90 MB)")
    print(f"  hosts the hub lists: {f.hosts} ({agents} agents and itself)")


THROUGHPUT_SERIES = 200
"""About what the system collector gives for a host with a few disks and interfaces."""


def run_ingest_throughput(batches: int = 200) -> None:
    """How fast one client can push: ``batches`` batches of ``THROUGHPUT_SERIES`` samples, 20
    agents taking turns, one at a time, to a hub served in this process (the README's figure
    in "Agents"; not paced like ``run_ingest``)."""
    from tests.helpers import hub_settings, serve_hub  # the app: only this benchmark needs it

    with tempfile.TemporaryDirectory() as tmp, serve_hub(hub_settings(Path(tmp))) as running:
        with running.api() as api:
            token = api.post("/api/v1/tokens", json={"name": "b", "scope": "ingest"}).json()
        start = time.time() - batches
        bodies = [
            encode_batch(
                f"agent-{i % 20}",
                [
                    Sample("bench_metric", {"n": str(n)}, float(n), start + i)
                    for n in range(THROUGHPUT_SERIES)
                ],
            )
            for i in range(batches)
        ]
        headers = {
            "Authorization": f"Bearer {token['token']}",
            "Content-Type": "application/msgpack",
        }
        with httpx.Client(base_url=running.url, headers=headers, timeout=30) as client:
            began = time.perf_counter()
            for body in bodies:
                client.post("/api/v1/ingest", content=body).raise_for_status()
            elapsed = time.perf_counter() - began
    samples = batches * THROUGHPUT_SERIES
    print(
        f"ingest-throughput: {samples} samples in {batches} batches of {THROUGHPUT_SERIES} over "
        f"HTTP: {samples / elapsed:,.0f} samples/s, {elapsed / batches * 1000:.1f} ms per batch "
        f"({sum(map(len, bodies)) / samples:.0f} bytes per sample on the wire)"
    )
