"""The whole hub on PostgreSQL: `database.url` in monitoring.yml, alerts, ack and delivery."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from hub.app import create_app
from hub.store import upgrade
from tests.backends import postgres_database
from tests.helpers import hub_settings, receiver
from tests.integration.conftest import Hub

RULE = (
    "alerts:\n  cpu_high:\n    metric: cpu_usage\n    threshold: 80\n    duration: 0\n"
    "    severity: critical\n    message: CPU high\n"
)


async def test_alert_fires_is_delivered_and_acknowledged_on_postgresql(tmp_path, clock):
    with postgres_database() as url, receiver() as peer:
        monitoring = (
            f"database: {{url: '{url}'}}\nchannels:\n  ops: {{type: webhook, url: '{peer.url}'}}\n"
        )
        settings = hub_settings(tmp_path, monitoring, RULE)
        app = create_app(settings, clock=clock, start_jobs=False, migrate=upgrade)
        async with AsyncTestClient(app=app) as client:
            hub = Hub(client, app.state.hub, clock)
            await hub.feed("cpu_usage", 97.5)
            clock.advance(2)  # the group waits 2 s for more alerts
            assert await hub.state.jobs.notify() == 1
            assert await hub.state.deliverer.deliver_due() == 1
            (body,) = peer.wait(1)
            assert body["alerts"][0]["labels"]["alertname"] == "cpu_high"
            (alert,) = (await client.get("/api/v1/alerts", headers=hub.auth)).json()
            acked = await client.post(
                f"/api/v1/alerts/{alert['id']}/ack", json={"by": "pat"}, headers=hub.auth
            )
            assert acked.json()["alert"]["acknowledged_by"] == "pat"
            series = (await client.get("/api/v1/series?match=cpu_usage", headers=hub.auth)).json()
            assert series[0]["values"] == [97.5]
            login = await client.post("/api/v1/session", json={"token": hub.state.admin_token})
            assert login.status_code == 204
