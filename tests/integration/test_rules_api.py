"""Rules CRUD through the API: persisted in the store, merged with alerts.yml's (read-only),
exported as alerts.yml text, and in force at the next evaluation without a restart."""

from __future__ import annotations

import yaml
from litestar.testing import AsyncTestClient

from hub.lib.yamlconf import parse_yaml
from hub.notify.policy import parse_policy
from hub.rules.parse import parse_rules_text
from tests.integration.conftest import Hub

FILE_RULES = """
alerts:
  cpu_high:
    metric: cpu_usage
    threshold: 80
    duration: 60
    severity: warning
    message: CPU high
routes:
  group_by: [alertname, host]
"""
DISK = {"name": "disk_full", "metric": "disk_usage", "threshold": 90, "severity": "critical"}


async def test_rules_are_created_listed_read_replaced_and_deleted(make_hub, clock):
    app = make_hub("", FILE_RULES)
    async with AsyncTestClient(app=app) as client:
        hub = Hub(client, app.state.hub, clock)
        created = await client.post("/api/v1/rules", json=DISK, headers=hub.auth)
        assert created.status_code == 201, created.text
        assert created.json()["source"] == "api"
        listed = (await client.get("/api/v1/rules", headers=hub.auth)).json()
        assert [(r["name"], r["source"]) for r in listed] == [
            ("cpu_high", "file"),
            ("disk_full", "api"),
        ]
        one = (await client.get("/api/v1/rules/disk_full", headers=hub.auth)).json()
        assert one["threshold"] == 90 and one["operator"] == ">"
        replaced = await client.put(
            "/api/v1/rules/disk_full",
            json={"metric": "disk_usage", "threshold": 95},
            headers=hub.auth,
        )
        assert replaced.status_code == 200, replaced.text
        assert replaced.json()["threshold"] == 95
        gone = await client.delete("/api/v1/rules/disk_full", headers=hub.auth)
        assert gone.status_code == 204
        missing = await client.get("/api/v1/rules/disk_full", headers=hub.auth)
        assert missing.status_code == 404


async def test_an_api_rule_fires_without_a_restart_and_its_alert_resolves_when_deleted(
    make_hub, clock
):
    app = make_hub("", FILE_RULES)
    async with AsyncTestClient(app=app) as client:
        hub = Hub(client, app.state.hub, clock)
        await hub.feed("disk_usage", 97, mount="/")
        assert (await client.get("/api/v1/alerts", headers=hub.auth)).json() == []
        await client.post("/api/v1/rules", json=DISK, headers=hub.auth)
        await hub.feed("disk_usage", 97, mount="/")
        (alert,) = (await client.get("/api/v1/alerts", headers=hub.auth)).json()
        assert (alert["rule"], alert["state"]) == ("disk_full", "firing")
        await client.delete("/api/v1/rules/disk_full", headers=hub.auth)
        after = (await client.get(f"/api/v1/alerts/{alert['id']}", headers=hub.auth)).json()
        assert after["state"] == "resolved"


async def test_api_rules_survive_a_restart(make_hub, clock):
    async with AsyncTestClient(app=make_hub("", FILE_RULES)) as client:
        hub = Hub(client, client.app.state.hub, clock)
        await client.post("/api/v1/rules", json=DISK, headers=hub.auth)
    async with AsyncTestClient(app=make_hub("", FILE_RULES)) as client:
        hub = Hub(client, client.app.state.hub, clock)
        names = [r["name"] for r in (await client.get("/api/v1/rules", headers=hub.auth)).json()]
        assert names == ["cpu_high", "disk_full"]
        assert [r.name for r in hub.state.engine.rules] == ["cpu_high", "disk_full"]


async def test_file_rules_are_read_only_and_names_are_unique(make_hub, clock):
    async with AsyncTestClient(app=make_hub("", FILE_RULES)) as client:
        hub = Hub(client, client.app.state.hub, clock)
        body = {"metric": "cpu_usage", "threshold": 50}
        changed = await client.put("/api/v1/rules/cpu_high", json=body, headers=hub.auth)
        assert changed.status_code == 409
        assert "alerts.yml" in changed.json()["detail"]
        deleted = await client.delete("/api/v1/rules/cpu_high", headers=hub.auth)
        assert deleted.status_code == 409
        taken = await client.post(
            "/api/v1/rules", json={"name": "cpu_high", **body}, headers=hub.auth
        )
        assert taken.status_code == 409
        assert (await client.delete("/api/v1/rules/nope", headers=hub.auth)).status_code == 404
        put_missing = await client.put("/api/v1/rules/nope", json=body, headers=hub.auth)
        assert put_missing.status_code == 404


async def test_invalid_rules_are_422_naming_the_field(make_hub, clock):
    cases = [
        ({"name": "x", "metric": "cpu_usage"}, "threshold"),
        ({"name": "x", "threshold": 1}, "metric"),
        ({"name": "x", "metric": "cpu_usage", "threshold": "high"}, "threshold"),
        ({"name": "x", "metric": "cpu_usage", "threshold": 1, "severity": "dire"}, "severity"),
        ({"name": "x", "metric": "cpu_usage", "threshold": 1, "colour": "red"}, "colour"),
        ({"name": "bad name", "metric": "cpu_usage", "threshold": 1}, "name"),
        ({"metric": "cpu_usage", "threshold": 1}, "name"),
        (
            {
                "name": "x",
                "metric": "cpu_usage",
                "threshold": 1,
                "notifications": [{"webhook": "ops"}],
            },
            "notifications[0]",
        ),
    ]
    async with AsyncTestClient(app=make_hub("", FILE_RULES)) as client:
        hub = Hub(client, client.app.state.hub, clock)
        for body, field in cases:
            answer = await client.post("/api/v1/rules", json=body, headers=hub.auth)
            assert answer.status_code == 422, (body, answer.text)
            assert answer.json()["extra"]["field"] == field, (body, answer.json())
        assert [
            r["name"] for r in (await client.get("/api/v1/rules", headers=hub.auth)).json()
        ] == ["cpu_high"]


async def test_export_is_alerts_yml_that_rules_check_accepts(make_hub, clock):
    async with AsyncTestClient(app=make_hub("", FILE_RULES)) as client:
        hub = Hub(client, client.app.state.hub, clock)
        await client.post("/api/v1/rules", json={**DISK, "duration": "5m"}, headers=hub.auth)
        exported = await client.get("/api/v1/rules/export", headers=hub.auth)
        assert exported.status_code == 200
        assert exported.headers["content-type"].startswith("application/yaml")
    text = exported.text
    rules = parse_rules_text(text)
    assert [(r.name, r.threshold, r.duration) for r in rules] == [
        ("cpu_high", 80, 60),
        ("disk_full", 90, 300),
    ]
    assert yaml.safe_load(text)["routes"] == {"group_by": ["alertname", "host"]}
    parse_policy(parse_yaml(text, "exported.yml"), None)  # the other sections check too
