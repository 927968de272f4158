"""The agent's loop: collect every interval, ship the batch, stop cleanly on a signal."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
from collections.abc import Sequence
from pathlib import Path

from hub.agent.sender import HubSender
from hub.agent.shipper import Shipper
from hub.agent.spool import Spool
from hub.collectors import Closeable, Collector, build_collectors
from hub.domain.config import CollectionConfig, MonitoringConfig
from hub.domain.ingest import encode_batch
from hub.domain.samples import Sample
from hub.lib.clock import Clock, SystemClock, monotonic
from hub.lib.durations import Seconds
from hub.lib.http import create_client

log = logging.getLogger(__name__)


class Agent:
    """Collects from ``collectors`` and hands each collection to the shipper as one batch."""

    def __init__(
        self,
        name: str,
        collectors: Sequence[Collector],
        shipper: Shipper,
        interval: float,
    ) -> None:
        self.name = name
        self._collectors = collectors
        self._shipper = shipper
        self._interval = interval

    async def collect(self) -> list[Sample]:
        """One collection from every collector; a failing collector is logged and skipped."""
        results = await asyncio.gather(
            *(c.collect() for c in self._collectors), return_exceptions=True
        )
        samples: list[Sample] = []
        for collector, result in zip(self._collectors, results, strict=True):
            if isinstance(result, BaseException):
                log.warning("collector %s failed: %s", collector.name, result)
                continue
            samples.extend(result)
        return samples

    async def tick(self) -> None:
        """Collect and ship; with nothing collected, still try to empty the spool."""
        samples = await self.collect()
        log.debug("collected %d samples", len(samples))
        if samples:
            await self._shipper.ship(encode_batch(self.name, samples))
        else:
            await self._shipper.drain()

    async def run(self, stop: asyncio.Event) -> None:
        """Tick every interval until ``stop`` is set. A tick in progress when it is set is
        cancelled; a batch that was being sent goes to the spool first (see Shipper.ship).

        Raises:
            HubRefusedError: the hub refuses the token.
        """
        while not stop.is_set():
            started = monotonic()
            tick = asyncio.create_task(self.tick())
            stopping = asyncio.create_task(stop.wait())
            await asyncio.wait({tick, stopping}, return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
            if not tick.done():
                tick.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await tick
                return
            tick.result()  # re-raises HubRefusedError
            remaining = self._interval - (monotonic() - started)
            if remaining > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), remaining)


async def run_agent(
    hub_url: str,
    token: str,
    data_dir: Path,
    interval: float,
    host: str | None,
    spool_max: int,
    clock: Clock | None = None,
) -> None:
    """Run an agent until SIGTERM or SIGINT.

    Raises:
        HubRefusedError: the hub refuses the token.
    """
    clock = clock or SystemClock()
    config = MonitoringConfig(collection=CollectionConfig(interval=Seconds(interval)))
    spool = Spool(data_dir / "spool", spool_max)
    if len(spool):
        log.info("%d batches spooled from an earlier run will be sent first", len(spool))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    async with contextlib.AsyncExitStack() as stack:
        client = create_client()
        stack.push_async_callback(client.aclose)
        collectors = build_collectors(config, clock, client, host)
        for collector in collectors:
            if isinstance(collector, Closeable):
                stack.push_async_callback(collector.aclose)
        shipper = Shipper(HubSender(client, hub_url, token), spool)
        name = host or socket.gethostname()
        log.info(
            "agent %s: %s every %gs to %s",
            name,
            ", ".join(c.name for c in collectors),
            interval,
            hub_url,
        )
        await Agent(name, collectors, shipper, interval).run(stop)
        log.info("stopped; %d batches spooled", len(spool))
