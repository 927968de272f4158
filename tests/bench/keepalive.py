"""Keep-alive race (issue 8): clients that reuse a connection just as the hub would close it.

Each client GETs /healthz on one kept-alive connection every ``idle`` s ± 20 ms; with ``idle``
at the hub's idle timeout (uvicorn's 5 s before ``hub.keep_alive``) some requests go out on a
connection the hub is closing and fail. With ``--baseline DIR`` the older code runs first.

    python -m tests.bench keepalive --baseline DIR
"""

from __future__ import annotations

import asyncio
import random
import tempfile
from collections import Counter
from pathlib import Path

import httpx

from tests.bench.hubproc import hub_process


class _ConnectTrace:
    """httpcore's ``trace`` extension: notes whether the request opened a new connection."""

    def __init__(self) -> None:
        self.opened = False

    async def __call__(self, event: str, info: dict[str, object]) -> None:
        if event == "connection.connect_tcp.started":
            self.opened = True


async def _client(n: int, url: str, rounds: int, idle: float, seen: Counter[str]) -> None:
    rng = random.Random(n)
    await asyncio.sleep(rng.uniform(0, idle))  # spread the clients over the interval
    # Keeps connections longer than the hub did (httpx's own default is 5 s, like uvicorn's).
    async with httpx.AsyncClient(limits=httpx.Limits(keepalive_expiry=30)) as client:
        for _ in range(rounds):
            connect = _ConnectTrace()
            try:
                await client.get(f"{url}/healthz", extensions={"trace": connect})
                seen["ok"] += 1
            except httpx.TransportError as exc:
                connection = "new" if connect.opened else "reused"
                seen[f"{type(exc).__name__} on a {connection} connection"] += 1
            await asyncio.sleep(idle + rng.uniform(-0.02, 0.02))


def _run(code: Path | None, clients: int, rounds: int, idle: float) -> Counter[str]:
    seen: Counter[str] = Counter()
    with tempfile.TemporaryDirectory() as tmp, hub_process(Path(tmp) / "hub", code=code) as hub:
        hub.wait_healthy()

        async def drive() -> None:
            await asyncio.gather(*(_client(n, hub.url, rounds, idle, seen) for n in range(clients)))

        asyncio.run(drive())
    failures = {kind: count for kind, count in seen.items() if kind != "ok"}
    print(
        f"keepalive: {clients} clients x {rounds} requests, each after {idle:g} s ± 20 ms idle "
        f"on one connection: {sum(failures.values())} of {clients * rounds} failed "
        f"{failures or ''}"
    )
    return seen


def run_keepalive(
    clients: int = 100, rounds: int = 8, idle: float = 5.0, *, baseline: Path | None = None
) -> Counter[str]:
    """Run the race against ``baseline`` code first (when given), then this code."""
    if baseline is not None:
        print(f"baseline: {baseline}")
        _run(baseline, clients, rounds, idle)
        print("this code:")
    return _run(None, clients, rounds, idle)
