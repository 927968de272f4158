"""Alert state across a restart of the hub on the same store (ALERTING-SEMANTICS behaviour 6)."""

from __future__ import annotations

from datetime import timedelta

from litestar.testing import AsyncTestClient

from tests.helpers import receiver
from tests.integration.conftest import Hub

RULES = """
alerts:
  slow_burn:
    metric: cpu_usage
    threshold: 80
    duration: 1h
  now_down:
    metric: service_health
    threshold: 0
"""


async def states(hub: Hub) -> dict[str, str]:
    rows = (await hub.client.get("/api/v1/alerts", headers=hub.auth)).json()
    return {r["rule"]: r["state"] for r in rows}


async def test_6_pending_is_extended_by_the_downtime_and_firing_is_not_renotified(make_hub, clock):
    with receiver() as peer:
        monitoring = f"channels:\n  ops:\n    type: webhook\n    url: {peer.url}\n"
        first = make_hub(monitoring, RULES)
        async with AsyncTestClient(app=first) as client:
            hub = Hub(client, first.state.hub, clock)
            await hub.feed("service_health", 0, service="api")
            await hub.feed("cpu_usage", 95)
            clock.advance(20 * 60)
            await hub.feed("cpu_usage", 95)
            await hub.feed("service_health", 0, service="api")
            assert await states(hub) == {"slow_burn": "pending", "now_down": "firing"}
            assert await hub.state.deliverer.deliver_due() == 1
            assert len(peer.wait(1)) == 1

        clock.advance(15 * 60)  # the hub is down for 15 minutes
        second = make_hub(monitoring, RULES)
        async with AsyncTestClient(app=second) as client:
            hub = Hub(client, second.state.hub, clock)
            await hub.feed("cpu_usage", 95)
            await hub.feed("service_health", 0, service="api")
            assert await states(hub) == {"slow_burn": "pending", "now_down": "firing"}
            # 40 of the hour were left when the hub stopped: it fires 40 minutes after start
            clock.advance(39 * 60)
            await hub.feed("cpu_usage", 95)
            await hub.feed("service_health", 0, service="api")
            assert (await states(hub))["slow_burn"] == "pending"
            clock.advance(60)
            await hub.feed("cpu_usage", 95)
            await hub.feed("service_health", 0, service="api")
            assert (await states(hub))["slow_burn"] == "firing"
            clock.advance(2)
            await hub.state.jobs.notify()
            await hub.state.deliverer.deliver_due()
            bodies = peer.wait(2)
            # the only new notification is slow_burn's: now_down was not told again
            assert [a["labels"]["alertname"] for a in bodies[1]["alerts"]] == ["slow_burn"]
            assert len(peer.bodies) == 2


async def test_6_after_an_outage_longer_than_an_hour_pending_starts_over(make_hub, clock):
    app = make_hub("", RULES)
    async with AsyncTestClient(app=app) as client:
        hub = Hub(client, app.state.hub, clock)
        await hub.feed("cpu_usage", 95)
        started = clock.now()
    clock.advance(2 * 3600)
    again = make_hub("", RULES)
    async with AsyncTestClient(app=again) as client:
        hub = Hub(client, again.state.hub, clock)
        await hub.feed("cpu_usage", 95)
        (row,) = (await client.get("/api/v1/alerts", headers=hub.auth)).json()
        assert row["state"] == "pending"
        assert row["started_at"] != started.isoformat()
        assert row["started_at"].startswith((started + timedelta(hours=2)).isoformat()[:16])
