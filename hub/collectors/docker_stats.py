"""Docker Engine answers (inspect, one-shot stats, events) turned into samples; pure functions.

The shapes follow the Engine API: https://docs.docker.com/reference/api/engine/ (``/containers/
{id}/json``, ``/containers/{id}/stats``, ``/events``). Fields missing from an answer (cgroup v1
vs v2, no network, an old engine) simply yield fewer samples.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import msgspec

from hub.domain.samples import Sample

HEALTH: dict[str, float] = {"healthy": 1.0, "starting": 0.5, "unhealthy": 0.0}
"""``container_health`` values; a container without a health check has no such series."""

TRIGGER_ACTIONS = frozenset({"die", "oom", "health_status", "start", "restart"})
"""Container events that make the collector collect at once."""

COMPOSE_LABELS = {
    "com.docker.compose.project": "compose_project",
    "com.docker.compose.service": "compose_service",
}


# --- inspect (/containers/{id}/json) -------------------------------------------------------


class Health(msgspec.Struct, frozen=True, rename="pascal"):
    status: str = ""


class State(msgspec.Struct, frozen=True, rename="pascal"):
    status: str = ""
    """created, running, paused, restarting, removing, exited or dead."""
    started_at: datetime | None = None
    health: Health | None = None


class Config(msgspec.Struct, frozen=True, rename="pascal"):
    image: str = ""
    labels: dict[str, str] | None = None


class Container(msgspec.Struct, frozen=True, rename="pascal"):
    """What one container's inspect says that we use."""

    id: str
    name: str = ""
    restart_count: int = 0
    state: State = msgspec.field(default_factory=State)
    config: Config = msgspec.field(default_factory=Config)


# --- one-shot stats (/containers/{id}/stats?stream=false&one-shot=true) --------------------


class CpuUsage(msgspec.Struct, frozen=True):
    total_usage: int = 0
    percpu_usage: list[int] | None = None


class CpuStats(msgspec.Struct, frozen=True):
    cpu_usage: CpuUsage = msgspec.field(default_factory=CpuUsage)
    system_cpu_usage: int = 0
    """Host CPU time of all cores, nanoseconds."""
    online_cpus: int = 0


class MemoryStats(msgspec.Struct, frozen=True):
    usage: int = 0
    limit: int = 0
    stats: dict[str, int] = {}


class NetworkStats(msgspec.Struct, frozen=True):
    rx_bytes: int = 0
    tx_bytes: int = 0


class BlkioEntry(msgspec.Struct, frozen=True):
    op: str = ""
    value: int = 0


class BlkioStats(msgspec.Struct, frozen=True):
    io_service_bytes_recursive: list[BlkioEntry] | None = None


class Stats(msgspec.Struct, frozen=True):
    """What one-shot stats say that we use."""

    cpu_stats: CpuStats = msgspec.field(default_factory=CpuStats)
    memory_stats: MemoryStats = msgspec.field(default_factory=MemoryStats)
    networks: dict[str, NetworkStats] | None = None
    blkio_stats: BlkioStats = msgspec.field(default_factory=BlkioStats)


class Counters(msgspec.Struct, frozen=True):
    """The cumulative counters of one reading, kept to compute rates at the next one."""

    time: float
    cpu: int
    system: int
    online_cpus: int
    net: tuple[int, int] | None
    """Received and sent bytes, all interfaces."""
    blk: tuple[int, int] | None
    """Read and written bytes, all devices."""


def parse_container(raw: object) -> Container:
    """An inspect answer (decoded JSON, or already a ``Container``) as a ``Container``."""
    return raw if isinstance(raw, Container) else msgspec.convert(raw, Container)


def parse_stats(raw: object) -> Stats:
    """A stats answer (decoded JSON, or already ``Stats``) as ``Stats``."""
    return raw if isinstance(raw, Stats) else msgspec.convert(raw, Stats)


def labels_of(container: Container, host: str) -> dict[str, str]:
    """``container``, ``image``, ``host`` and the compose project and service when present."""
    labels = {
        "host": host,
        "container": container.name.lstrip("/") or container.id[:12],
        "image": container.config.image,
    }
    for docker_label, ours in COMPOSE_LABELS.items():
        value = (container.config.labels or {}).get(docker_label)
        if value:
            labels[ours] = value
    return labels


def health_value(container: Container) -> float | None:
    """1 healthy, 0.5 starting, 0 unhealthy; None without a health check."""
    health = container.state.health
    return None if health is None else HEALTH.get(health.status)


def uptime(container: Container, now: float) -> float | None:
    """Seconds since the container started, while it runs."""
    started = container.state.started_at
    if container.state.status != "running" or started is None or started.year < 1970:
        return None
    return max(0.0, now - started.timestamp())


def state_samples(container: Container, labels: dict[str, str], now: float) -> list[Sample]:
    """Running, restarts, health and uptime: reported for every container, exited or not."""
    running = 1.0 if container.state.status == "running" else 0.0
    out = [
        Sample("container_running", labels, running, now),
        Sample("restart_count", labels, float(container.restart_count), now),
    ]
    health = health_value(container)
    if health is not None:
        out.append(Sample("container_health", labels, health, now))
    up = uptime(container, now)
    if up is not None:
        out.append(Sample("container_uptime", labels, up, now))
    return out


def counters(stats: Stats, now: float) -> Counters:
    """The cumulative counters of a stats answer."""
    cpu = stats.cpu_stats
    online = cpu.online_cpus or len(cpu.cpu_usage.percpu_usage or ()) or 1
    return Counters(
        time=now,
        cpu=cpu.cpu_usage.total_usage,
        system=cpu.system_cpu_usage,
        online_cpus=online,
        net=_network_bytes(stats.networks),
        blk=_block_bytes(stats.blkio_stats),
    )


def cpu_percent(previous: Counters, current: Counters) -> float | None:
    """CPU use between two readings as ``docker stats`` shows it: 100 is one full core.

    The container's CPU time over the host's, times the number of cores; None when either
    counter went backwards (the container restarted) or the host's did not move."""
    used = current.cpu - previous.cpu
    elapsed = current.system - previous.system
    if used < 0 or elapsed <= 0:
        return None
    return used / elapsed * current.online_cpus * 100.0


def rate(old: int, new: int, seconds: float) -> float | None:
    """Per-second increase of a counter; None when it was reset or no time passed."""
    if seconds <= 0 or new < old:
        return None
    return (new - old) / seconds


def memory(stats: MemoryStats) -> tuple[float, float] | None:
    """Bytes in use and percent of the limit, page cache excluded as ``docker stats`` does;
    None when the engine reports no memory figures."""
    if stats.limit <= 0:
        return None
    # cgroup v1 reports total_inactive_file, cgroup v2 inactive_file (docker CLI, stats_helpers).
    inactive = stats.stats.get("total_inactive_file", stats.stats.get("inactive_file", 0))
    used = stats.usage - inactive if inactive < stats.usage else stats.usage
    return float(used), used / stats.limit * 100.0


def usage_samples(
    stats: Stats, previous: Counters | None, labels: dict[str, str], now: float
) -> tuple[list[Sample], Counters]:
    """Memory now, and CPU, network and block I/O rates against the previous reading."""
    current = counters(stats, now)
    out: list[Sample] = []
    mem = memory(stats.memory_stats)
    if mem is not None:
        out.append(Sample("memory_bytes", labels, mem[0], now))
        out.append(Sample("memory_usage", labels, mem[1], now))
    if previous is None:
        return out, current
    cpu = cpu_percent(previous, current)
    if cpu is not None:
        out.append(Sample("cpu_usage", labels, cpu, now))
    seconds = now - previous.time
    for metric, names, old, new in (
        ("network_io", ("rx", "tx"), previous.net, current.net),
        ("block_io", ("read", "write"), previous.blk, current.blk),
    ):
        if old is None or new is None:
            continue
        for direction, old_value, new_value in zip(names, old, new, strict=True):
            value = rate(old_value, new_value, seconds)
            if value is not None:
                out.append(Sample(metric, {**labels, "direction": direction}, value, now))
    return out, current


def event_reason(event: Mapping[str, object]) -> str | None:
    """``"die web"`` for a container event worth collecting at once, else None."""
    action = str(event.get("Action") or event.get("status") or "")
    kind = action.split(":", 1)[0]
    if event.get("Type", "container") != "container" or kind not in TRIGGER_ACTIONS:
        return None
    actor = event.get("Actor")
    attributes = actor.get("Attributes") if isinstance(actor, dict) else None
    name = attributes.get("name") if isinstance(attributes, dict) else None
    return f"{action} {name}" if name else action


def _network_bytes(networks: dict[str, NetworkStats] | None) -> tuple[int, int] | None:
    if networks is None:
        return None
    return (
        sum(n.rx_bytes for n in networks.values()),
        sum(n.tx_bytes for n in networks.values()),
    )


def _block_bytes(blkio: BlkioStats) -> tuple[int, int] | None:
    entries = blkio.io_service_bytes_recursive
    if entries is None:
        return None
    # cgroup v1 says Read/Write (plus Sync, Async, Total), cgroup v2 read/write.
    read = sum(e.value for e in entries if e.op.lower() == "read")
    write = sum(e.value for e in entries if e.op.lower() == "write")
    return read, write
