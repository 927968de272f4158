"""Collectors turn a source (this machine, Docker, HTTP services …) into samples."""

from __future__ import annotations

import os

import httpx

from hub.collectors.base import Closeable, Collector, Triggered
from hub.collectors.docker import docker_collectors
from hub.collectors.http import http_probes
from hub.collectors.scrape import scrapers
from hub.collectors.system import SystemCollector
from hub.domain.config import MonitoringConfig
from hub.lib.clock import Clock


def build_collectors(
    config: MonitoringConfig, clock: Clock, http: httpx.AsyncClient, host: str | None = None
) -> list[Collector]:
    """Every collector monitoring.yml asks for; each runs as its own job. Host and container
    series are labelled ``host`` (default: this machine's host name)."""
    interval = float(config.collection.interval)
    collectors: list[Collector] = [SystemCollector(clock, interval, host=host)]
    collectors.extend(docker_collectors(config.collection, clock, os.environ, host=host))
    collectors += http_probes(config.services, clock, http)
    collectors += scrapers(config.services, clock, http)
    return collectors


__all__ = ["Closeable", "Collector", "Triggered", "build_collectors"]
