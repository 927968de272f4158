"""Topology from the newest samples and the configured services."""

from hub.domain.config import ServiceConfig
from hub.domain.samples import Sample
from hub.domain.topology import build_topology, of_service

NOW = 1_000_000.0


def s(name: str, value: float, age: float = 0.0, **labels: str) -> Sample:
    return Sample(name, labels, value, NOW - age)


def service(url: str = "http://x/", **kw) -> ServiceConfig:
    return ServiceConfig(url=url, **kw)


def test_hosts_are_up_while_they_report_and_down_after_going_silent():
    latest = [s("cpu_usage", 5, host="box"), s("cpu_usage", 7, age=120, host="pi")]
    topo = build_topology(latest, {}, NOW, stale_after=30)
    health = {n.id: (n.health, n.reason) for n in topo.nodes}
    assert health == {"host:box": ("up", ""), "host:pi": ("down", "no data for 120 s")}
    assert [n.id for n in topo.nodes] == ["host:pi", "host:box"]  # worst first


def test_containers_run_on_their_host_with_health_from_their_samples():
    latest = [
        s("cpu_usage", 1, host="box"),
        s("container_health", 1, host="box", container="web"),
        s("container_health", 0, host="box", container="sick"),
        s("container_health", 0.5, host="box", container="boot"),
        s("container_running", 0, host="box", container="exited"),
        s("cpu_usage", 3, host="box", container="plain"),
    ]
    topo = build_topology(latest, {}, NOW, stale_after=30)
    by_id = {n.id: n for n in topo.nodes}
    assert by_id["container:box/web"].health == "up"
    assert (by_id["container:box/sick"].health, by_id["container:box/sick"].reason) == (
        "down",
        "unhealthy",
    )
    assert by_id["container:box/boot"].health == "degraded"
    assert by_id["container:box/exited"].reason == "not running"
    assert by_id["container:box/plain"].health == "unknown"
    # container series do not make the host look alive on their own
    assert by_id["host:box"].health == "up"
    assert {(e.source, e.target, e.kind) for e in topo.edges} >= {
        ("container:box/web", "host:box", "runs_on"),
        ("container:box/sick", "host:box", "runs_on"),
    }


def test_services_are_matched_to_containers_by_name_compose_service_or_config():
    latest = [
        s("service_health", 1, service="api"),
        s("error_rate", 20, service="api"),
        s("service_health", 0, service="db"),
        s("container_health", 1, host="box", container="proj-api-1", compose_service="api"),
        s("container_health", 1, host="box", container="postgres"),
        s("container_health", 1, host="pi", container="web"),
    ]
    services = {
        "api": service(depends_on=("db", "nowhere")),
        "db": service(container="postgres"),
        "web": service(),
        "new": service(),
    }
    topo = build_topology(latest, services, NOW, stale_after=30)
    by_id = {n.id: n for n in topo.nodes}
    assert (by_id["service:api"].health, by_id["service:api"].host) == ("degraded", "box")
    assert by_id["service:api"].reason == "20 % of recent probes failed"
    assert by_id["service:db"].health == "down"
    assert by_id["service:web"].host == "pi"
    assert by_id["service:new"].health == "unknown"
    edges = {(e.source, e.target, e.kind) for e in topo.edges}
    assert ("service:api", "container:box/proj-api-1", "served_by") in edges
    assert ("service:db", "container:box/postgres", "served_by") in edges
    assert ("service:api", "service:db", "depends_on") in edges
    assert not any(e.target == "service:nowhere" for e in topo.edges)


def test_of_service_adds_the_serving_containers_series():
    latest = [
        s("service_health", 1, service="api"),
        s("response_time", 12, service="api"),
        s("cpu_usage", 30, host="box", container="api"),
        s("memory_usage", 40, host="box", container="api"),
        s("cpu_usage", 99, host="box", container="other"),
        s("cpu_usage", 5, host="box"),
    ]
    picked = of_service(latest, "api", None)
    assert sorted((x.name, x.value) for x in picked) == [
        ("cpu_usage", 30),
        ("memory_usage", 40),
        ("response_time", 12),
        ("service_health", 1),
    ]
    assert of_service(latest, "ghost", None) == []
