"""This machine: CPU, memory, disk per mount, load average and network rates, via psutil."""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import Iterable
from typing import Any

import psutil

from hub.domain.samples import Sample
from hub.lib.clock import Clock

# Pseudo and read-only image file systems say nothing about free space people care about.
_SKIP_FSTYPES = frozenset(
    {
        "squashfs",
        "tmpfs",
        "devtmpfs",
        "overlay",
        "proc",
        "sysfs",
        "cgroup",
        "cgroup2",
        "nsfs",
        "iso9660",
        "autofs",
        "fuse.snapfuse",
        "ramfs",
    }
)


class SystemCollector:
    """Host metrics of C7: ``cpu_usage``, ``memory_usage``, ``disk_usage{mount}``,
    ``system_load{period}`` and ``network_io{direction,interface}`` (bytes/s)."""

    name = "system"

    def __init__(self, clock: Clock, interval: float = 10.0, host: str | None = None) -> None:
        self._clock = clock
        self.interval = interval
        self._host = host or socket.gethostname()
        self._cpu_primed = False
        self._last_net: tuple[float, dict[str, tuple[int, int]]] | None = None

    async def collect(self) -> list[Sample]:
        """One reading of every host metric."""
        return await asyncio.to_thread(self._read)

    def _read(self) -> list[Sample]:
        now = self._clock.now().timestamp()
        host = {"host": self._host}
        out: list[Sample] = []
        # cpu_percent(None) compares with the previous call; the very first call has nothing
        # to compare with and returns a meaningless 0.0, so it only primes the counter.
        cpu = psutil.cpu_percent(interval=None)
        if self._cpu_primed:
            out.append(Sample("cpu_usage", host, cpu, now))
        self._cpu_primed = True
        out.append(Sample("memory_usage", host, psutil.virtual_memory().percent, now))
        for mount, percent in _disk_usage().items():
            out.append(Sample("disk_usage", {**host, "mount": mount}, percent, now))
        for period, load in zip(("1m", "5m", "15m"), os.getloadavg(), strict=True):
            out.append(Sample("system_load", {**host, "period": period}, load, now))
        out.extend(self._network_rates(now, host))
        return out

    def _network_rates(self, now: float, host: dict[str, str]) -> list[Sample]:
        counters = {
            nic: (c.bytes_recv, c.bytes_sent)
            for nic, c in psutil.net_io_counters(pernic=True).items()
            if nic != "lo"
        }
        previous, self._last_net = self._last_net, (now, counters)
        if previous is None or now <= previous[0]:
            return []
        elapsed = now - previous[0]
        out = []
        for nic, (rx, tx) in counters.items():
            if nic not in previous[1]:
                continue
            old_rx, old_tx = previous[1][nic]
            for direction, new, old in (("rx", rx, old_rx), ("tx", tx, old_tx)):
                if new >= old:  # a counter reset (interface re-created) gives no rate
                    out.append(
                        Sample(
                            "network_io",
                            {**host, "direction": direction, "interface": nic},
                            (new - old) / elapsed,
                            now,
                        )
                    )
        return out


def _disk_usage() -> dict[str, float]:
    usage: dict[str, float] = {}
    for mountpoint in disk_mounts(psutil.disk_partitions(all=False)):
        try:
            usage[mountpoint] = psutil.disk_usage(mountpoint).percent
        except OSError:  # a mount that went away or that we may not stat
            continue
    return usage


def disk_mounts(partitions: Iterable[Any]) -> list[str]:
    """The mount points to report: one per device (its shortest mount point), none of a
    skipped file-system type.

    A device mounted again elsewhere (a bind mount: Docker's and containerd's data dirs, a
    runtime's per-container mounts, kubelet volumes) has the same usage as its first mount, so
    each extra mount point was a duplicate tile, and a transient one a series that came and
    went with every container start.
    """
    by_device: dict[str, str] = {}
    for part in partitions:
        if part.fstype in _SKIP_FSTYPES:
            continue
        device = part.device if part.device not in ("", "none") else part.mountpoint
        known = by_device.get(device)
        if known is None or (len(part.mountpoint), part.mountpoint) < (len(known), known):
            by_device[device] = part.mountpoint
    return sorted(by_device.values())
