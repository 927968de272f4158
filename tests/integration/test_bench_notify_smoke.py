"""The notification benchmarks still run (tiny parameters; figures come from `make bench`)."""

from __future__ import annotations

from tests.bench.notify import _throughput
from tests.channel_peers import hook


async def test_outbox_benchmark_delivers_every_queued_notification():
    with hook() as receiver:
        wall, cpu, delivered = await _throughput(receiver.url, 20)
    assert delivered == 20 == len(receiver.raw)
    assert wall > 0 and cpu > 0
    assert {len(body["alerts"]) for body in receiver.bodies} == {3}
