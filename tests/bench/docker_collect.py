"""Time of one Docker collection: ``python -m tests.bench.docker_collect [--extra N]``.

Against the engine in ``TCF_HUB_TEST_DOCKER_HOST`` (default: tests/dockerd-up.sh's socket), with
``N`` extra idle containers started for the run and removed after it. Prints the first
collection (connecting included) and the median and worst of ten warm ones.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
import uuid

import docker

from hub.collectors.docker import DockerCollector
from hub.lib.clock import SystemClock

HOST = os.environ.get(
    "TCF_HUB_TEST_DOCKER_HOST",
    f"unix://{os.environ.get('ENGINE_DIR', '/tmp/tcf-dockerd')}/docker.sock",  # noqa: S108
)


async def measure(runs: int) -> str:
    collector = DockerCollector(SystemClock(), environ={"DOCKER_HOST": HOST})
    try:
        started = time.perf_counter()
        samples = await collector.collect()
        first = time.perf_counter() - started
        warm = []
        for _ in range(runs):
            await asyncio.sleep(0.3)
            started = time.perf_counter()
            samples = await collector.collect()
            warm.append(time.perf_counter() - started)
    finally:
        await collector.aclose()
    containers = {s.labels["container"] for s in samples}
    return (
        f"{len(containers)} containers, {len(samples)} samples: first {first * 1000:.0f} ms, "
        f"warm median {statistics.median(warm) * 1000:.0f} ms, worst {max(warm) * 1000:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.docker_collect")
    parser.add_argument("--extra", type=int, default=0, help="idle containers to add")
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    client = docker.DockerClient(base_url=HOST, timeout=30)
    tag = uuid.uuid4().hex[:6]
    extra = [
        client.containers.run("localhost/bb:latest", detach=True, name=f"bench-{tag}-{i}")
        for i in range(args.extra)
    ]
    try:
        print(asyncio.run(measure(args.runs)))
    finally:
        for container in extra:
            container.remove(force=True)
        client.close()


if __name__ == "__main__":
    main()
