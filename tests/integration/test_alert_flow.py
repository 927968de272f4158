"""Rule -> alert -> outbox -> webhook, driven by hand with a manual clock and real receivers."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient

from tests.helpers import receiver
from tests.integration.conftest import Hub

RULE = (
    "alerts:\n  cpu_high:\n    metric: cpu_usage\n    threshold: 80\n    duration: 60\n"
    "    severity: warning\n    message: CPU high\n"
    # no grouping delay, so each change is queued at once (grouping has tests of its own)
    "routes:\n  group_wait: 0s\n  group_interval: 1s\n"
)


def channel(url: str, extra: str = "") -> str:
    return f"channels:\n  ops:\n    type: webhook\n    url: {url}\n{extra}"


@pytest.fixture
async def wired(make_hub, clock):
    """A hub whose cpu_high rule notifies a real webhook receiver answering scripted codes."""
    hubs = []

    async def build(statuses=None, extra=""):
        ctx = receiver(statuses)
        peer = ctx.__enter__()
        app = make_hub(channel(peer.url, extra), RULE)
        client = AsyncTestClient(app=app)
        await client.__aenter__()
        hubs.append((ctx, client))
        return Hub(client, app.state.hub, clock), peer

    yield build
    for ctx, client in hubs:
        await client.__aexit__(None, None, None)
        ctx.__exit__(None, None, None)


async def alerts(hub: Hub) -> list[dict]:
    return (await hub.client.get("/api/v1/alerts", headers=hub.auth)).json()


async def test_alert_goes_pending_then_fires_after_duration_and_is_delivered(wired):
    hub, peer = await wired()
    await hub.feed("cpu_usage", 95)
    (alert,) = await alerts(hub)
    assert alert["state"] == "pending"
    assert await hub.state.deliverer.deliver_due() == 0
    hub.clock.advance(30)
    await hub.feed("cpu_usage", 96)
    assert (await alerts(hub))[0]["state"] == "pending"
    hub.clock.advance(30)
    await hub.feed("cpu_usage", 97)
    (alert,) = await alerts(hub)
    assert alert["state"] == "firing"
    assert alert["value"] == 97
    assert await hub.state.deliverer.deliver_due() == 1
    (body,) = peer.wait(1)
    assert body["status"] == "firing"
    assert body["alerts"][0]["labels"] == {
        "alertname": "cpu_high",
        "host": "box",
        "severity": "warning",
    }
    assert body["alerts"][0]["annotations"]["message"] == "CPU high"


async def test_pending_alert_that_clears_disappears_and_sends_nothing(wired):
    hub, peer = await wired()
    await hub.feed("cpu_usage", 95)
    hub.clock.advance(10)
    await hub.feed("cpu_usage", 10)
    assert await alerts(hub) == []
    assert await hub.state.deliverer.deliver_due() == 0
    assert peer.bodies == []


async def test_resolution_is_delivered_and_history_records_every_step(wired):
    hub, peer = await wired()
    await hub.feed("cpu_usage", 95)
    hub.clock.advance(60)
    await hub.feed("cpu_usage", 95)
    hub.clock.advance(60)
    await hub.feed("cpu_usage", 20)
    (alert,) = await alerts(hub)
    assert alert["state"] == "resolved"
    assert alert["resolved_at"]
    assert await hub.state.deliverer.deliver_due() == 2
    statuses = [b["status"] for b in peer.wait(2)]
    assert statuses == ["firing", "resolved"]
    assert peer.bodies[1]["alerts"][0]["endsAt"] != "0001-01-01T00:00:00Z"
    assert peer.bodies[0]["groupKey"] == peer.bodies[1]["groupKey"]
    history = (
        await hub.client.get(f"/api/v1/alerts/{alert['id']}/history", headers=hub.auth)
    ).json()["history"]
    assert [(h["from_state"], h["to_state"]) for h in history] == [
        (None, "pending"),
        ("pending", "firing"),
        ("firing", "resolved"),
    ]


async def test_send_resolved_false_sends_only_the_firing_notification(wired):
    hub, peer = await wired(extra="    send_resolved: false\n")
    await hub.feed("cpu_usage", 95)
    hub.clock.advance(60)
    await hub.feed("cpu_usage", 95)
    hub.clock.advance(10)
    await hub.feed("cpu_usage", 5)
    assert await hub.state.deliverer.deliver_due() == 1
    assert [b["status"] for b in peer.bodies] == ["firing"]


async def test_a_series_that_stops_reporting_resolves_its_alert(wired):
    hub, _ = await wired()
    await hub.feed("cpu_usage", 95)
    hub.clock.advance(60)
    await hub.feed("cpu_usage", 95)
    hub.clock.advance(6 * 60)  # past the 5 minute lookback: no data
    await hub.state.jobs.evaluate()
    assert (await alerts(hub))[0]["state"] == "firing"  # one missed evaluation is tolerated
    hub.clock.advance(10)
    await hub.state.jobs.evaluate()
    assert (await alerts(hub))[0]["state"] == "resolved"


async def test_5xx_is_retried_with_backoff_until_delivered(wired):
    hub, peer = await wired(statuses=[500, 503])
    await hub.feed("cpu_usage", 95)
    hub.clock.advance(60)
    await hub.feed("cpu_usage", 95)
    assert await hub.state.deliverer.deliver_due() == 0  # 500
    assert await hub.state.deliverer.deliver_due() == 0  # not due yet: backing off
    hub.clock.advance(2)
    assert await hub.state.deliverer.deliver_due() == 0  # 503
    hub.clock.advance(4)
    assert await hub.state.deliverer.deliver_due() == 1
    assert len(peer.bodies) == 3
    async with hub.state.store.tx() as tx:
        log = await tx.outbox.deliveries()
        assert await tx.outbox.count("sent") == 1
    assert [d.ok for d in reversed(log)] == [False, False, True]
    assert log[-1].error == "receiver answered HTTP 500"


async def test_4xx_is_permanent_and_not_retried(wired):
    hub, peer = await wired(statuses=[400])
    await hub.feed("cpu_usage", 95)
    hub.clock.advance(60)
    await hub.feed("cpu_usage", 95)
    assert await hub.state.deliverer.deliver_due() == 0
    hub.clock.advance(3600)
    assert await hub.state.deliverer.deliver_due() == 0
    assert len(peer.bodies) == 1
    async with hub.state.store.tx() as tx:
        assert await tx.outbox.count("failed") == 1


async def test_receiver_down_for_ten_minutes_still_gets_the_notification(wired):
    hub, peer = await wired(statuses=[502] * 6)
    await hub.feed("cpu_usage", 95)
    hub.clock.advance(60)
    await hub.feed("cpu_usage", 95)
    for _ in range(20):  # ten minutes in 30 s steps
        await hub.state.deliverer.deliver_due()
        hub.clock.advance(30)
    assert peer.bodies[-1]["status"] == "firing"
    async with hub.state.store.tx() as tx:
        assert await tx.outbox.count("sent") == 1
        assert await tx.outbox.count("pending") == 0


async def test_gives_up_after_the_max_age(wired):
    hub, _ = await wired(statuses=[500] * 100)
    await hub.feed("cpu_usage", 95)
    hub.clock.advance(60)
    await hub.feed("cpu_usage", 95)
    await hub.state.deliverer.deliver_due()
    hub.clock.advance(25 * 3600)
    await hub.state.deliverer.deliver_due()
    async with hub.state.store.tx() as tx:
        assert await tx.outbox.count("failed") == 1


async def test_timeouts_are_retried(wired):
    hub, peer = await wired(extra="    timeout: 0.2\n")
    peer.delay = 0.5
    await hub.feed("cpu_usage", 95)
    hub.clock.advance(60)
    await hub.feed("cpu_usage", 95)
    assert await hub.state.deliverer.deliver_due() == 0
    peer.delay = 0
    hub.clock.advance(5)
    assert await hub.state.deliverer.deliver_due() == 1
    async with hub.state.store.tx() as tx:
        log = await tx.outbox.deliveries()
    assert log[-1].error == "timed out after 0.2s"


async def test_ack_is_idempotent_records_who_and_a_resolved_alert_stays_resolved(wired):
    hub, peer = await wired()
    await hub.feed("cpu_usage", 95)
    hub.clock.advance(60)
    await hub.feed("cpu_usage", 95)
    (alert,) = await alerts(hub)
    url = f"/api/v1/alerts/{alert['id']}/ack"
    first = await hub.client.post(url, json={"comment": "on it", "by": "alice"}, headers=hub.auth)
    assert first.status_code == 200
    assert first.json()["outcome"] == "acknowledged"
    acked = first.json()["alert"]
    assert (acked["state"], acked["acknowledged_by"], acked["ack_comment"]) == (
        "acknowledged",
        "alice",
        "on it",
    )
    assert acked["acknowledged_at"]
    second = await hub.client.post(url, json={"by": "bob"}, headers=hub.auth)
    assert second.json()["outcome"] == "already acknowledged"
    assert second.json()["alert"]["acknowledged_by"] == "alice"
    hub.clock.advance(10)
    await hub.feed("cpu_usage", 99)  # still firing: stays acknowledged
    assert (await alerts(hub))[0]["state"] == "acknowledged"
    hub.clock.advance(10)
    await hub.feed("cpu_usage", 1)
    assert (await alerts(hub))[0]["state"] == "resolved"
    late = await hub.client.post(url, headers=hub.auth)
    assert late.status_code == 409
    assert "already resolved" in late.json()["detail"]
    assert (await alerts(hub))[0]["state"] == "resolved"
    await hub.state.deliverer.deliver_due()
    assert [b["status"] for b in peer.bodies] == ["firing", "resolved"]


async def test_ack_without_body_uses_the_principal_and_unack_restores_firing(wired):
    hub, _ = await wired()
    await hub.feed("cpu_usage", 95)
    hub.clock.advance(60)
    await hub.feed("cpu_usage", 95)
    (alert,) = await alerts(hub)
    acked = await hub.client.post(f"/api/v1/alerts/{alert['id']}/ack", headers=hub.auth)
    assert acked.json()["alert"]["acknowledged_by"] == "admin"
    back = await hub.client.post(f"/api/v1/alerts/{alert['id']}/unack", headers=hub.auth)
    assert back.json()["state"] == "firing"
    assert back.json()["acknowledged_by"] is None
    again = await hub.client.post(f"/api/v1/alerts/{alert['id']}/unack", headers=hub.auth)
    assert again.json()["state"] == "firing"
    one = (await hub.client.get(f"/api/v1/alerts/{alert['id']}", headers=hub.auth)).json()
    assert one["state"] == "firing"
    history = (
        await hub.client.get(f"/api/v1/alerts/{alert['id']}/history", headers=hub.auth)
    ).json()["history"]
    assert [h["kind"] for h in history][-2:] == ["ack", "unack"]
    assert history[-2]["actor"] == "admin"


@pytest.mark.parametrize("path", ["/api/v1/alerts/999", "/api/v1/alerts/999/history"])
async def test_unknown_alert_is_404(hub, path):
    assert (await hub.client.get(path, headers=hub.auth)).status_code == 404


@pytest.mark.parametrize("action", ["ack", "unack"])
async def test_acting_on_an_unknown_alert_is_404(hub, action):
    response = await hub.client.post(f"/api/v1/alerts/999/{action}", headers=hub.auth)
    assert response.status_code == 404


async def test_state_filter_and_bad_state_value(hub):
    await hub.feed("cpu_usage", 95)
    pending = await hub.client.get("/api/v1/alerts?state=pending", headers=hub.auth)
    firing = await hub.client.get("/api/v1/alerts?state=firing", headers=hub.auth)
    bad = await hub.client.get("/api/v1/alerts?state=sleeping", headers=hub.auth)
    assert len(pending.json()) == 1
    assert firing.json() == []
    assert bad.status_code == 400


async def test_alerts_of_a_removed_rule_are_resolved(make_hub, clock, tmp_path):
    app = make_hub(alerts=RULE)
    async with AsyncTestClient(app=app) as client:
        hub = Hub(client, app.state.hub, clock)
        await hub.feed("cpu_usage", 95)
        hub.clock.advance(60)
        await hub.feed("cpu_usage", 95)
    (tmp_path / "config" / "alerts.yml").write_text("alerts: {}\n")
    from hub.app import create_app
    from hub.settings import load_settings
    from hub.store import upgrade

    settings = load_settings(tmp_path / "config", tmp_path / "data")
    app = create_app(settings, clock=clock, start_jobs=False, migrate=upgrade)
    async with AsyncTestClient(app=app) as client:
        hub = Hub(client, app.state.hub, clock)
        await hub.state.jobs.evaluate()
        (alert,) = await alerts(hub)
    assert alert["state"] == "resolved"


async def test_deliver_job_asks_to_run_again_when_the_next_retry_is_due(wired):
    hub, _ = await wired(statuses=[500])
    asked: list[float] = []
    hub.state.jobs.schedule_delivery = asked.append
    await hub.feed("cpu_usage", 95)
    hub.clock.advance(60)
    await hub.feed("cpu_usage", 95)
    assert asked == [0.0]  # the new notification wakes delivery at once
    assert await hub.state.jobs.deliver() == 0  # the receiver answers 500
    assert 1.0 <= asked[-1] <= 2.0  # first retry after 1-2 s of jittered backoff
    hub.clock.advance(asked[-1])
    assert await hub.state.jobs.deliver() == 1
    assert len(asked) == 2  # nothing pending: no further wake-up requested
