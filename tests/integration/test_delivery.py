"""Delivery guarantees on the real store with real receivers and a manual clock: retries,
Retry-After, permanence, max age, a receiver down for 10 minutes, rate limits, failing
channels and their fallback, the channels API and the delivery log."""

from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import datetime, timedelta

from litestar.testing import AsyncTestClient

from hub.notify.outbox import encode
from tests.channel_peers import SECRET_PATH, Answer, Hook, hook
from tests.integration.conftest import Hub
from tests.integration.test_channels import note


@asynccontextmanager
async def hub_with(make_hub, clock, ops: Hook, backup: Hook | None = None, extra: str = ""):
    text = f"channels:\n  ops:\n    type: webhook\n    url: {ops.url}\n    timeout: 0.5\n"
    if backup is not None:
        text += f"  backup:\n    type: webhook\n    url: {backup.url}\n"
    app = make_hub(text + extra)
    async with AsyncTestClient(app=app) as client:
        yield Hub(client, app.state.hub, clock)


async def queue(hub: Hub, channel: str = "ops", count: int = 1) -> None:
    async with hub.state.store.tx() as tx:
        for _ in range(count):
            await tx.outbox.enqueue(channel, encode(note()), None, hub.clock.now())


async def log(hub: Hub, **params) -> list[dict]:
    response = await hub.client.get(
        "/api/v1/notifications/deliveries", params=params, headers=hub.auth
    )
    assert response.status_code == 200
    return response.json()


async def until_next_attempt(hub: Hub) -> int:
    """Move the clock to the next due attempt and deliver."""
    due = await hub.state.deliverer.next_due()
    assert due is not None
    hub.clock.advance(max(0.0, (due - hub.clock.now()).total_seconds()))
    return await hub.state.deliverer.deliver_due()


async def test_500_then_200_is_delivered_on_retry_and_both_attempts_are_logged(make_hub, clock):
    with hook(500) as ops:
        async with hub_with(make_hub, clock, ops) as hub:
            await queue(hub)
            assert await hub.state.deliverer.deliver_due() == 0
            assert await until_next_attempt(hub) == 1
            attempts = await log(hub)
    assert len(ops.raw) == 2
    assert [(a["outcome"], a["status_code"]) for a in attempts] == [("sent", None), ("retry", 500)]
    assert attempts[1]["error"] == "receiver answered HTTP 500"
    assert attempts[0]["duration_ms"] >= 0


async def test_429_waits_exactly_as_long_as_retry_after_says(make_hub, clock):
    with hook(Answer(429, {"Retry-After": "30"})) as ops:
        async with hub_with(make_hub, clock, ops) as hub:
            await queue(hub)
            start = clock.now()
            await hub.state.deliverer.deliver_due()
            assert await hub.state.deliverer.next_due() == start + timedelta(seconds=30)
            clock.advance(29)
            assert await hub.state.deliverer.deliver_due() == 0
            assert len(ops.raw) == 1
            clock.advance(1)
            assert await hub.state.deliverer.deliver_due() == 1
    assert len(ops.raw) == 2


async def test_timeout_is_retried(make_hub, clock):
    with hook(Answer(200, delay=1.5)) as ops:
        async with hub_with(make_hub, clock, ops) as hub:
            await queue(hub)
            assert await hub.state.deliverer.deliver_due() == 0
            assert await until_next_attempt(hub) == 1
            attempts = await log(hub)
    assert attempts[1]["outcome"] == "retry"
    assert attempts[1]["error"] == "timed out after 0.5s"


async def test_404_is_permanent_marks_the_channel_failing_and_tells_the_others(make_hub, clock):
    with hook(404) as ops, hook() as backup:
        async with hub_with(make_hub, clock, ops, backup) as hub:
            await queue(hub)
            await hub.state.deliverer.deliver_due()
            clock.advance(3600)
            assert await hub.state.deliverer.deliver_due() == 1  # the fallback, to backup
            assert len(ops.raw) == 1  # never retried
            channels = await hub.client.get("/api/v1/channels", headers=hub.auth)
            by_name = {c["name"]: c for c in channels.json()}
            assert by_name["ops"]["status"] == "failing"
            assert by_name["ops"]["last_error"] == "receiver answered HTTP 404"
            assert by_name["backup"]["status"] == "ok"
            assert SECRET_PATH not in channels.text
            (told,) = backup.bodies
            assert told["status"] == "firing"
            assert told["commonLabels"] == {
                "alertname": "notification_channel_failing",
                "channel": "ops",
                "severity": "critical",
            }
            assert "receiver answered HTTP 404" in told["alerts"][0]["annotations"]["summary"]
            # a second failure does not tell the others again
            ops.answer(410)
            await queue(hub)
            await hub.state.deliverer.deliver_due()
            assert await hub.state.deliverer.deliver_due() == 0
            assert len(backup.raw) == 1
            # ops takes notifications again: it is healthy and the others hear so
            await queue(hub)
            assert await hub.state.deliverer.deliver_due() == 1
            assert await hub.state.deliverer.deliver_due() == 1
            channels = await hub.client.get("/api/v1/channels", headers=hub.auth)
    assert backup.bodies[1]["status"] == "resolved"
    assert {c["name"]: c["status"] for c in channels.json()}["ops"] == "ok"


async def test_a_receiver_down_for_10_minutes_gets_the_notification_once_back(make_hub, clock):
    with hook() as ops:
        ops.stop()  # connections refused
        async with hub_with(make_hub, clock, ops) as hub:
            await queue(hub)
            start = clock.now()
            attempts = 0
            while clock.now() - start < timedelta(minutes=10):
                assert await until_next_attempt(hub) == 0
                attempts += 1
            ops.start()  # back, on the same port
            assert await until_next_attempt(hub) == 1
            assert await hub.state.deliverer.next_due() is None
            entries = await log(hub, limit=1000)
    assert len(ops.raw) == 1
    assert 5 <= attempts == len(entries) - 1  # backed off, not hammered
    assert entries[0]["outcome"] == "sent"
    assert all(e["outcome"] == "retry" and "connection failed" in e["error"] for e in entries[1:])


async def test_retryable_errors_are_given_up_after_max_age(make_hub, clock):
    with hook(*[503] * 100) as ops:
        extra = "notify:\n  max_age: 10m\n"
        async with hub_with(make_hub, clock, ops, extra=extra) as hub:
            await queue(hub)
            start = clock.now()
            while await hub.state.deliverer.next_due() is not None:
                await until_next_attempt(hub)
            entries = await log(hub, limit=1000)
            health = await hub.state.deliverer.health()
    given_up = datetime.fromisoformat(entries[0]["at"].replace("Z", "+00:00"))
    assert timedelta(minutes=10) <= given_up - start < timedelta(minutes=15)
    assert entries[0]["outcome"] == "failed"
    assert all(e["outcome"] == "retry" for e in entries[1:])
    assert health["ops"].failing


async def test_rate_limit_postpones_to_the_next_minute_and_drops_nothing(make_hub, clock):
    with hook() as ops:
        extra = "    max_per_minute: 2\n"
        async with hub_with(make_hub, clock, ops, extra=extra) as hub:
            await queue(hub, count=5)
            assert await hub.state.deliverer.deliver_due() == 2
            assert await hub.state.deliverer.deliver_due() == 0
            assert await hub.state.deliverer.next_due() == clock.now() + timedelta(minutes=1)
            assert await until_next_attempt(hub) == 2
            assert await until_next_attempt(hub) == 1
    assert len(ops.raw) == 5


async def test_global_cap_limits_all_channels_together(make_hub, clock):
    with hook() as ops, hook() as backup:
        extra = "notify:\n  max_per_minute: 3\n"
        async with hub_with(make_hub, clock, ops, backup, extra=extra) as hub:
            await queue(hub, "ops", 3)
            await queue(hub, "backup", 3)
            assert await hub.state.deliverer.deliver_due() == 3
            assert await until_next_attempt(hub) == 3
    assert len(ops.raw) + len(backup.raw) == 6


async def test_channel_test_endpoint_sends_and_returns_the_result(make_hub, clock):
    with hook() as ops, hook(404) as backup:
        async with hub_with(make_hub, clock, ops, backup) as hub:
            ok = await hub.client.post("/api/v1/channels/ops/test", headers=hub.auth)
            bad = await hub.client.post("/api/v1/channels/backup/test", headers=hub.auth)
            missing = await hub.client.post("/api/v1/channels/nope/test", headers=hub.auth)
            entries = await log(hub, channel="backup")
    assert ok.status_code == 200 and ok.json()["ok"] is True and ok.json()["outcome"] == "sent"
    (body,) = ops.bodies
    assert body["commonLabels"]["alertname"] == "tcf_hub_test"
    assert bad.status_code == 200
    assert bad.json()["ok"] is False
    assert bad.json()["status_code"] == 404 and bad.json()["outcome"] == "failed"
    assert SECRET_PATH not in bad.text
    assert missing.status_code == 404 and "no channel named 'nope'" in missing.text
    assert [e["channel"] for e in entries] == ["backup"]


async def test_a_retryable_test_failure_is_not_retried(make_hub, clock):
    with hook(503) as ops:
        async with hub_with(make_hub, clock, ops) as hub:
            result = await hub.client.post("/api/v1/channels/ops/test", headers=hub.auth)
            assert result.json()["outcome"] == "failed"
            assert await hub.state.deliverer.next_due() is None
            health = await hub.state.deliverer.health()
    assert not health["ops"].failing  # only a permanent error marks a channel failing


async def test_delivery_log_validates_and_pages(make_hub, clock):
    with hook() as ops:
        async with hub_with(make_hub, clock, ops) as hub:
            await queue(hub, count=3)
            await hub.state.deliverer.deliver_due()
            first = await log(hub, limit=2)
            rest = await log(hub, before=first[-1]["id"])
            bad = await hub.client.get(
                "/api/v1/notifications/deliveries", params={"limit": 0}, headers=hub.auth
            )
    assert len(first) == 2 and len(rest) == 1
    assert rest[0]["id"] < first[-1]["id"]
    assert bad.status_code == 400


async def test_channels_named_by_rule_targets_are_listed_and_testable(make_hub, clock):
    with hook() as ops:
        alerts = (
            "alerts:\n  down:\n    metric: service_health\n    threshold: 0\n"
            f"    notifications:\n      - webhook: {ops.url}\n      - slack: '#alerts'\n"
        )
        slack = f"channels:\n  chat:\n    type: slack\n    url: {ops.url}\n"
        app = make_hub(slack, alerts)
        async with AsyncTestClient(app=app) as client:
            hub = Hub(client, app.state.hub, clock)
            listed = (await client.get("/api/v1/channels", headers=hub.auth)).json()
            tested = await client.post("/api/v1/channels/down:webhook-0/test", headers=hub.auth)
            slack_test = await client.post("/api/v1/channels/chat:%23alerts/test", headers=hub.auth)
    by_name = {c["name"]: c for c in listed}
    assert set(by_name) == {"chat", "down:webhook-0", "chat:#alerts"}
    assert by_name["chat:#alerts"]["target"] == "#alerts"
    assert by_name["chat:#alerts"]["send_resolved"] is False  # Slack's default
    assert by_name["down:webhook-0"]["send_resolved"] is True  # the webhook's default
    assert tested.status_code == 200 and tested.json()["ok"]
    assert slack_test.status_code == 200 and slack_test.json()["ok"]
    assert ops.bodies[1]["channel"] == "#alerts"


async def test_delivery_log_and_channel_health_on_postgresql(tmp_path, clock):
    from hub.app import create_app
    from hub.store import upgrade
    from tests.backends import postgres_database
    from tests.helpers import hub_settings

    with postgres_database() as url, hook(500, 404) as ops, hook() as backup:
        monitoring = (
            f"database: {{url: '{url}'}}\nchannels:\n  ops: {{type: webhook, url: '{ops.url}'}}\n"
            f"  backup: {{type: discord, url: '{backup.url}'}}\n"
        )
        app = create_app(
            hub_settings(tmp_path, monitoring, "alerts: {}\n"),
            clock=clock,
            start_jobs=False,
            migrate=upgrade,
        )
        async with AsyncTestClient(app=app) as client:
            hub = Hub(client, app.state.hub, clock)
            await queue(hub)
            assert await hub.state.deliverer.deliver_due() == 0
            assert await until_next_attempt(hub) == 0  # the 404 gives up …
            assert await hub.state.deliverer.deliver_due() == 1  # … and backup is told
            entries = await log(hub)
            listed = (await client.get("/api/v1/channels", headers=hub.auth)).json()
    assert [(e["channel"], e["outcome"], e["status_code"]) for e in entries] == [
        ("backup", "sent", None),
        ("ops", "failed", 404),
        ("ops", "retry", 500),
    ]
    assert {c["name"]: c["status"] for c in listed} == {"ops": "failing", "backup": "ok"}
    assert "notification_channel_failing ops" in backup.bodies[0]["content"]
