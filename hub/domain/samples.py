"""Samples, series identity and the catalogue of known metrics (C7)."""

from __future__ import annotations

import enum
import hashlib

import msgspec


class Sample(msgspec.Struct, frozen=True, gc=False):
    """One value of one series at one time."""

    name: str
    labels: dict[str, str]
    value: float
    time: float
    """Unix time in seconds."""


class Direction(enum.Enum):
    """Which way a metric goes when things get worse."""

    UP = "up"
    DOWN = "down"


class MetricInfo(msgspec.Struct, frozen=True):
    """What a metric means: unit, description and how it is exposed to Prometheus."""

    unit: str
    description: str
    bad: Direction = Direction.UP
    prometheus_name: str = ""
    prometheus_scale: float = 1.0
    """Factor from our unit to the Prometheus base unit (percent -> ratio is 0.01)."""


METRICS: dict[str, MetricInfo] = {
    "cpu_usage": MetricInfo(
        "%", "CPU busy time", prometheus_name="tcf_cpu_usage_ratio", prometheus_scale=0.01
    ),
    "memory_usage": MetricInfo(
        "%", "Memory in use", prometheus_name="tcf_memory_usage_ratio", prometheus_scale=0.01
    ),
    "disk_usage": MetricInfo(
        "%",
        "Disk space used per mount",
        prometheus_name="tcf_disk_usage_ratio",
        prometheus_scale=0.01,
    ),
    "system_load": MetricInfo("", "Load average per period", prometheus_name="tcf_system_load"),
    "network_io": MetricInfo(
        "B/s",
        "Network traffic per interface and direction",
        prometheus_name="tcf_network_io_bytes_per_second",
    ),
    "service_health": MetricInfo(
        "",
        "1 when the service is up, 0 when down",
        bad=Direction.DOWN,
        prometheus_name="tcf_service_health",
    ),
    "response_time": MetricInfo(
        "ms",
        "Service response time",
        prometheus_name="tcf_response_time_seconds",
        prometheus_scale=0.001,
    ),
    "error_rate": MetricInfo(
        "%", "Failed probes", prometheus_name="tcf_error_rate_ratio", prometheus_scale=0.01
    ),
    "http_status": MetricInfo(
        "",
        "HTTP status code of the last probe (0: no response)",
        prometheus_name="tcf_http_status_code",
    ),
    "tls_cert_days_left": MetricInfo(
        "d",
        "Time until the service's TLS certificate expires",
        bad=Direction.DOWN,
        prometheus_name="tcf_tls_cert_remaining_seconds",
        prometheus_scale=86400.0,
    ),
    "scrape_up": MetricInfo(
        "",
        "1 when the service's /metrics was scraped and parsed, 0 when not",
        bad=Direction.DOWN,
        prometheus_name="tcf_scrape_up",
    ),
    "scrape_duration": MetricInfo(
        "ms",
        "Time the last scrape of the service's /metrics took",
        prometheus_name="tcf_scrape_duration_seconds",
        prometheus_scale=0.001,
    ),
    "scrape_series": MetricInfo(
        "",
        "Series stored from the last scrape of the service's /metrics",
        prometheus_name="tcf_scrape_series",
    ),
    "active_connections": MetricInfo(
        "", "Open connections", prometheus_name="tcf_active_connections"
    ),
    # Containers also report cpu_usage (100 % is one core, as `docker stats`), memory_usage and
    # network_io with a `container` label; these are theirs alone.
    "memory_bytes": MetricInfo(
        "B", "Memory in use, page cache excluded", prometheus_name="tcf_memory_usage_bytes"
    ),
    "block_io": MetricInfo(
        "B/s",
        "Block device reads and writes per direction",
        prometheus_name="tcf_block_io_bytes_per_second",
    ),
    "restart_count": MetricInfo(
        "", "Restarts by the container's restart policy", prometheus_name="tcf_restart_count"
    ),
    "container_running": MetricInfo(
        "",
        "1 when the container runs, 0 when exited, paused, restarting or dead",
        bad=Direction.DOWN,
        prometheus_name="tcf_container_running",
    ),
    "container_health": MetricInfo(
        "",
        "Health check: 1 healthy, 0.5 starting, 0 unhealthy (no series without a check)",
        bad=Direction.DOWN,
        prometheus_name="tcf_container_health",
    ),
    "container_uptime": MetricInfo(
        "s",
        "Seconds since the running container started",
        bad=Direction.DOWN,
        prometheus_name="tcf_container_uptime_seconds",
    ),
    "heartbeat_age_seconds": MetricInfo(
        "s", "Seconds since the heartbeat's last ping", prometheus_name="tcf_heartbeat_age_seconds"
    ),
    "heartbeat_overdue": MetricInfo(
        "",
        "1 when the last ping is older than the heartbeat's period + grace",
        prometheus_name="tcf_heartbeat_overdue",
    ),
    "job_success": MetricInfo(
        "",
        "1 when the job's last ping said ok, 0 when it said fail",
        bad=Direction.DOWN,
        prometheus_name="tcf_job_success",
    ),
    "job_duration_seconds": MetricInfo(
        "s", "Seconds the job's last run took", prometheus_name="tcf_job_duration_seconds"
    ),
    # The hub's own health (hub/collectors/selfmon.py).
    "hub_job_lag_seconds": MetricInfo(
        "s",
        "Seconds the hub's job last started after it was due",
        prometheus_name="tcf_hub_job_lag_seconds",
    ),
    "hub_job_overdue": MetricInfo(
        "",
        "1 when the hub's job has not finished a run within two intervals + 30 s",
        prometheus_name="tcf_hub_job_overdue",
    ),
    "hub_job_last_success_timestamp": MetricInfo(
        "s",
        "Unix time of the job's last successful run",
        bad=Direction.DOWN,
        prometheus_name="tcf_hub_job_last_success_timestamp_seconds",
    ),
    "hub_job_failures_total": MetricInfo(
        "", "Runs of the job that raised, since start", prometheus_name="tcf_hub_job_failures"
    ),
    "hub_job_skipped_total": MetricInfo(
        "",
        "Runs of the job dropped because the previous one was still running, since start",
        prometheus_name="tcf_hub_job_skipped",
    ),
    "hub_collector_errors_total": MetricInfo(
        "", "Collections that failed, since start", prometheus_name="tcf_hub_collector_errors"
    ),
    "hub_delivery_failures_total": MetricInfo(
        "",
        "Failed notification deliveries per channel, since start",
        prometheus_name="tcf_hub_delivery_failures",
    ),
    "hub_outbox_queue_length": MetricInfo(
        "", "Notifications waiting in the outbox", prometheus_name="tcf_hub_outbox_queue_length"
    ),
    "hub_store_size_bytes": MetricInfo(
        "B", "Size of the store's database file", prometheus_name="tcf_hub_store_size_bytes"
    ),
}


def metric_info(name: str) -> MetricInfo:
    """The catalogue entry for ``name``, or a generic one for metrics we do not know."""
    known = METRICS.get(name)
    if known is not None:
        return known
    return MetricInfo("", name, prometheus_name=f"tcf_{name}")


def fingerprint(labels: dict[str, str]) -> str:
    """A stable 16-hex-digit identity for a label set, independent of key order."""
    canonical = "\x1f".join(f"{k}\x1e{labels[k]}" for k in sorted(labels))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]
