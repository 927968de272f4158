"""Topology: hosts, the containers on them and the services they serve, as a graph with health.

Built from the newest sample of every series plus the ``services`` of monitoring.yml, so agent
hosts, containers and services appear as soon as their first samples arrive. Pure functions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal

import msgspec

from hub.domain.config import ServiceConfig
from hub.domain.samples import Sample

Health = Literal["up", "degraded", "down", "unknown"]
NodeKind = Literal["host", "container", "service"]
EdgeKind = Literal["runs_on", "served_by", "depends_on"]

HEALTH_ORDER: dict[Health, int] = {"down": 0, "degraded": 1, "unknown": 2, "up": 3}
"""Worst first, for sorting."""


class Node(msgspec.Struct, frozen=True):
    """A host, container or service."""

    id: str
    """``host:<name>``, ``container:<host>/<name>`` or ``service:<name>``."""
    kind: NodeKind
    name: str
    health: Health
    host: str | None = None
    """The host a container runs on, or that serves a service through its container."""
    reason: str = ""
    """Why the health is not ``up``, in words."""


class Edge(msgspec.Struct, frozen=True):
    """``source`` needs ``target``: a container runs on a host, a service is served by a
    container, a service depends on another service."""

    source: str
    target: str
    kind: EdgeKind


class Topology(msgspec.Struct, frozen=True):
    """Nodes worst health first, and the edges between them."""

    nodes: list[Node]
    edges: list[Edge]


class ContainerRef(msgspec.Struct):
    """A container as the newest samples describe it."""

    host: str
    name: str
    compose_service: str | None = None
    health: float | None = None
    running: float | None = None


def build_topology(
    latest: Iterable[Sample],
    services: Mapping[str, ServiceConfig],
    now: float,
    stale_after: float,
) -> Topology:
    """The graph as of ``now``; a host silent for ``stale_after`` seconds is down."""
    samples = list(latest)
    nodes: list[Node] = []
    edges: list[Edge] = []
    nodes.extend(_host_nodes(samples, now, stale_after))
    containers = _containers(samples)
    for container in containers.values():
        node = _container_node(container)
        nodes.append(node)
        edges.append(Edge(node.id, _host_id(container.host), "runs_on"))
    health = _latest_by_service(samples, "service_health")
    errors = _latest_by_service(samples, "error_rate")
    for name, config in services.items():
        served_by = find_container(_wanted_container(name, config), containers.values())
        node = _service_node(name, health.get(name), errors.get(name), served_by)
        nodes.append(node)
        if served_by is not None:
            edges.append(Edge(node.id, _container_id(served_by), "served_by"))
        edges.extend(
            Edge(node.id, _service_id(dep), "depends_on")
            for dep in config.depends_on
            if dep in services
        )
    nodes.sort(key=lambda n: (HEALTH_ORDER[n.health], n.kind, n.id))
    return Topology(nodes=nodes, edges=edges)


def find_container(wanted: str, containers: Iterable[ContainerRef]) -> ContainerRef | None:
    """The container named ``wanted``, else the one running compose service ``wanted``.

    A service is served by the container its ``container:`` setting names, or else by one
    named like the service (or running the compose service of that name)."""
    candidates = list(containers)
    for container in candidates:
        if container.name == wanted:
            return container
    for container in candidates:
        if container.compose_service == wanted:
            return container
    return None


def _wanted_container(service: str, config: ServiceConfig | None) -> str:
    """The container (or compose service) a service runs in: its ``container:`` setting, else
    its own name."""
    return config.container if config is not None and config.container else service


def _host_nodes(samples: list[Sample], now: float, stale_after: float) -> list[Node]:
    last_seen: dict[str, float] = {}
    for sample in samples:
        host = sample.labels.get("host")
        if host is not None and "container" not in sample.labels:
            last_seen[host] = max(last_seen.get(host, 0.0), sample.time)
    nodes = []
    for host, seen in last_seen.items():
        silent = now - seen
        if silent > stale_after:
            nodes.append(
                Node(_host_id(host), "host", host, "down", host, f"no data for {silent:.0f} s")
            )
        else:
            nodes.append(Node(_host_id(host), "host", host, "up", host))
    return nodes


def _containers(samples: list[Sample]) -> dict[tuple[str, str], ContainerRef]:
    found: dict[tuple[str, str], ContainerRef] = {}
    for sample in samples:
        name = sample.labels.get("container")
        if name is None:
            continue
        host = sample.labels.get("host", "")
        container = found.setdefault((host, name), ContainerRef(host=host, name=name))
        container.compose_service = sample.labels.get("compose_service") or (
            container.compose_service
        )
        if sample.name == "container_health":
            container.health = sample.value
        elif sample.name == "container_running":
            container.running = sample.value
    return found


def _container_node(container: ContainerRef) -> Node:
    node_id = _container_id(container)
    if container.running == 0:
        return Node(node_id, "container", container.name, "down", container.host, "not running")
    if container.health is None:
        return Node(node_id, "container", container.name, "unknown", container.host)
    if container.health >= 1:
        return Node(node_id, "container", container.name, "up", container.host)
    if container.health > 0:
        return Node(node_id, "container", container.name, "degraded", container.host, "starting")
    return Node(node_id, "container", container.name, "down", container.host, "unhealthy")


def _service_node(
    name: str, health: float | None, error_rate: float | None, container: ContainerRef | None
) -> Node:
    host = container.host if container is not None else None
    node_id = _service_id(name)
    if health is None:
        return Node(node_id, "service", name, "unknown", host, "not probed yet")
    if health < 1:
        return Node(node_id, "service", name, "down", host, "health check failing")
    if error_rate:
        return Node(
            node_id,
            "service",
            name,
            "degraded",
            host,
            f"{error_rate:.0f} % of recent probes failed",
        )
    return Node(node_id, "service", name, "up", host)


def _latest_by_service(samples: list[Sample], metric: str) -> dict[str, float]:
    return {
        s.labels["service"]: s.value for s in samples if s.name == metric and "service" in s.labels
    }


def _host_id(host: str) -> str:
    return f"host:{host}"


def _container_id(container: ContainerRef) -> str:
    return f"container:{container.host}/{container.name}"


def _service_id(name: str) -> str:
    return f"service:{name}"


def of_service(
    latest: Iterable[Sample], service: str, config: ServiceConfig | None
) -> list[Sample]:
    """The samples of ``service`` plus those of the container serving it.

    A service not in monitoring.yml (an agent's, say) matches a container of the same name."""
    samples = list(latest)
    container = find_container(_wanted_container(service, config), _containers(samples).values())
    return [
        s
        for s in samples
        if s.labels.get("service") == service
        or (
            container is not None
            and s.labels.get("container") == container.name
            and s.labels.get("host", "") == container.host
        )
    ]
