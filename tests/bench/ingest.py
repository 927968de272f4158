"""Agent ingest over HTTP: msgpack batches POSTed to /api/v1/ingest of a hub served by uvicorn
(in this process), like agents sending one collection each; prints samples per second."""

from __future__ import annotations

import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from hub.domain.ingest import encode_batch
from hub.domain.samples import Sample
from tests.helpers import hub_settings, serve_hub

AGENTS = 8
"""Agents sending at the same time in the second half."""
SERIES_PER_AGENT = 200
"""About what the system collector gives for a host with a few disks and interfaces."""


def run_ingest(batches: int = 200) -> None:
    """Send ``batches`` batches of ``SERIES_PER_AGENT`` samples from 20 agents: half one
    after another, half from ``AGENTS`` senders at once."""
    with tempfile.TemporaryDirectory() as tmp, serve_hub(hub_settings(Path(tmp))) as running:
        with running.api() as api:
            token = api.post("/api/v1/tokens", json={"name": "b", "scope": "ingest"}).json()
        start = time.time() - batches
        bodies = [
            encode_batch(
                f"agent-{i % 20}",
                [
                    Sample("bench_metric", {"n": str(n)}, float(n), start + i)
                    for n in range(SERIES_PER_AGENT)
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
            for body in bodies[: batches // 2]:
                client.post("/api/v1/ingest", content=body).raise_for_status()
            one_by_one = time.perf_counter() - began

        def send(chunk: list[bytes]) -> None:
            with httpx.Client(base_url=running.url, headers=headers, timeout=30) as client:
                for body in chunk:
                    client.post("/api/v1/ingest", content=body).raise_for_status()

        rest = bodies[batches // 2 :]
        began = time.perf_counter()
        with ThreadPoolExecutor(AGENTS) as pool:
            list(pool.map(send, [rest[i::AGENTS] for i in range(AGENTS)]))
        together = time.perf_counter() - began
    half = batches // 2 * SERIES_PER_AGENT
    print(
        f"ingest over HTTP, batches of {SERIES_PER_AGENT} samples "
        f"({sum(map(len, bodies)) / (batches * SERIES_PER_AGENT):.0f} bytes a sample as msgpack): "
        f"one agent at a time {half / one_by_one:,.0f} samples/s "
        f"({one_by_one / (batches // 2) * 1000:.0f} ms a batch); "
        f"{AGENTS} agents at once {half / together:,.0f} samples/s"
    )
