"""GET /api/v1/topology and a service's view in /api/v1/metrics/current."""

from litestar.testing import AsyncTestClient

from tests.integration.conftest import Hub

MONITORING = """
services:
  api:
    url: http://127.0.0.1:9/health
    depends_on: [db]
  db:
    url: http://127.0.0.1:9/db
    container: postgres
"""


async def test_topology_links_services_containers_and_hosts(make_hub, clock):
    app = make_hub(MONITORING)
    async with AsyncTestClient(app=app) as client:
        hub = Hub(client, app.state.hub, clock)
        await hub.feed("cpu_usage", 12)
        await hub.feed("container_health", 1, container="api", compose_service="api")
        await hub.feed("container_health", 0, container="postgres")
        await hub.feed("cpu_usage", 55, container="api")
        await hub.feed("service_health", 1, service="api")
        await hub.feed("service_health", 0, service="db")

        response = await client.get("/api/v1/topology", headers=hub.auth)
        assert response.status_code == 200
        body = response.json()
        health = {n["id"]: n["health"] for n in body["nodes"]}
        assert health == {
            "host:box": "up",
            "container:box/api": "up",
            "container:box/postgres": "down",
            "service:api": "up",
            "service:db": "down",
        }
        assert body["nodes"][0]["health"] == "down"
        edges = {(e["source"], e["target"], e["kind"]) for e in body["edges"]}
        assert edges == {
            ("container:box/api", "host:box", "runs_on"),
            ("container:box/postgres", "host:box", "runs_on"),
            ("service:api", "container:box/api", "served_by"),
            ("service:db", "container:box/postgres", "served_by"),
            ("service:api", "service:db", "depends_on"),
        }

        clock.advance(120)  # the host goes silent
        body = (await client.get("/api/v1/topology", headers=hub.auth)).json()
        host = next(n for n in body["nodes"] if n["id"] == "host:box")
        assert (host["health"], host["reason"]) == ("down", "no data for 120 s")

        assert (await client.get("/api/v1/topology")).status_code == 401


async def test_current_metrics_of_a_service_include_its_containers(make_hub, clock):
    app = make_hub(MONITORING)
    async with AsyncTestClient(app=app) as client:
        hub = Hub(client, app.state.hub, clock)
        await hub.feed("service_health", 1, service="db")
        await hub.feed("response_time", 4.5, service="db")
        await hub.feed("cpu_usage", 30, container="postgres")
        await hub.feed("memory_usage", 41, container="postgres")
        await hub.feed("cpu_usage", 90, container="api")
        await hub.feed("cpu_usage", 12)
        rows = (
            await client.get("/api/v1/metrics/current", params={"service": "db"}, headers=hub.auth)
        ).json()
        assert sorted((r["name"], r["value"]) for r in rows) == [
            ("cpu_usage", 30),
            ("memory_usage", 41),
            ("response_time", 4.5),
            ("service_health", 1),
        ]
