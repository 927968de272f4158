"""Web Push end to end in the hub: VAPID key, device subscriptions, pushes to a local push
service that verifies VAPID and decrypts, and acknowledging with the push's ack token (C9)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from litestar.testing import AsyncTestClient

from tests.helpers import free_port
from tests.integration.conftest import Hub
from tests.push_service import PushService, push_service

RULES = """
alerts:
  service_down:
    metric: service_health
    operator: "<"
    threshold: 1
    duration: 0
    severity: critical
    message: "{{ $labels.service }} is down"
  cpu_high:
    metric: cpu_usage
    threshold: 80
    severity: warning
    message: CPU high
"""
CHANNEL = "channels:\n  phones:\n    type: webpush\n    subject: mailto:ops@example.com\n"


@asynccontextmanager
async def running(
    make_hub: Callable[..., object], clock, statuses: list[int] | None = None, channel=CHANNEL
) -> AsyncIterator[tuple[Hub, PushService]]:
    app = make_hub(channel, RULES)
    async with AsyncTestClient(app=app) as client:  # type: ignore[arg-type]
        hub = Hub(client, app.state.hub, clock)  # type: ignore[attr-defined]
        with push_service(statuses, expected_key=hub.state.push.vapid.public_key) as service:
            yield hub, service


async def subscribe(hub: Hub, service: PushService, name: str | None = "phone") -> dict:
    response = await hub.client.post(
        "/api/v1/push/subscriptions", json=service.subscription(name), headers=hub.auth
    )
    assert response.status_code == 201, response.text
    return response.json()


async def settle(hub: Hub, seconds: float = 2.0) -> int:
    hub.clock.advance(seconds)
    await hub.state.jobs.notify()
    return await hub.state.deliverer.deliver_due()


async def fire(hub: Hub) -> int:
    """service_down fires for service api; returns its alert id."""
    await hub.feed("service_health", 0, service="api")
    assert await settle(hub) == 1
    (alert,) = (await hub.client.get("/api/v1/alerts", headers=hub.auth)).json()
    return int(alert["id"])


async def test_the_vapid_public_key_is_the_one_pushes_are_signed_with(make_hub, clock, tmp_path):
    async with running(make_hub, clock) as (hub, service):
        response = await hub.client.get("/api/v1/push/vapid-public-key", headers=hub.auth)
        assert response.status_code == 200
        key = response.json()["public_key"]
        assert len(key) == 87  # 65 bytes, base64url without padding
        assert "=" not in key
        await subscribe(hub, service)
        await fire(hub)
        (push,) = service.wait(1)
        assert push.headers["authorization"].endswith(f"k={key}")
        pem = tmp_path / "data" / "vapid_private.pem"
        assert pem.stat().st_mode & 0o777 == 0o600
        assert key not in pem.read_text()
        unauthenticated = await hub.client.get("/api/v1/push/vapid-public-key")
        assert unauthenticated.status_code == 401


async def test_subscriptions_are_listed_without_keys_renamed_and_deleted(make_hub, clock):
    async with running(make_hub, clock) as (hub, service):
        first = await subscribe(hub, service, "Anna's Pixel")
        second = await subscribe(hub, service, None)
        assert first["name"] == "Anna's Pixel"
        assert second["name"] == "127.0.0.1"  # no name given: the push service's host
        listed = (await hub.client.get("/api/v1/push/subscriptions", headers=hub.auth)).json()
        assert [d["id"] for d in listed] == [first["id"], second["id"]]
        assert set(listed[0]) == {"id", "name", "push_service", "created_at", "last_success_at"}
        assert listed[0]["last_success_at"] is None
        renamed = await hub.client.patch(
            f"/api/v1/push/subscriptions/{second['id']}", json={"name": "tablet"}, headers=hub.auth
        )
        assert renamed.status_code == 200
        assert renamed.json()["name"] == "tablet"
        blank = await hub.client.patch(
            f"/api/v1/push/subscriptions/{second['id']}", json={"name": " "}, headers=hub.auth
        )
        assert blank.status_code == 400
        assert "name must be" in blank.text
        gone = await hub.client.delete(
            f"/api/v1/push/subscriptions/{first['id']}", headers=hub.auth
        )
        assert gone.status_code == 204
        again = await hub.client.delete(
            f"/api/v1/push/subscriptions/{first['id']}", headers=hub.auth
        )
        assert again.status_code == 404
        missing = await hub.client.patch(
            "/api/v1/push/subscriptions/999", json={"name": "x"}, headers=hub.auth
        )
        assert missing.status_code == 404
        listed = (await hub.client.get("/api/v1/push/subscriptions", headers=hub.auth)).json()
        assert [d["name"] for d in listed] == ["tablet"]


async def test_the_same_endpoint_subscribing_again_updates_its_device(make_hub, clock):
    async with running(make_hub, clock) as (hub, service):
        sub = service.subscription("old name")
        one = await hub.client.post("/api/v1/push/subscriptions", json=sub, headers=hub.auth)
        two = await hub.client.post(
            "/api/v1/push/subscriptions", json={**sub, "name": "new name"}, headers=hub.auth
        )
        assert one.json()["id"] == two.json()["id"]
        listed = (await hub.client.get("/api/v1/push/subscriptions", headers=hub.auth)).json()
        assert [d["name"] for d in listed] == ["new name"]


async def test_malformed_subscriptions_are_refused_with_the_reason(make_hub, clock):
    async with running(make_hub, clock) as (hub, service):
        good = service.subscription()
        cases = [
            ({**good, "endpoint": "ftp://push.example/1"}, "endpoint must be an https:// URL"),
            ({**good, "keys": {"p256dh": "AAAA", "auth": good["keys"]["auth"]}}, "65 bytes"),
            ({**good, "keys": {"p256dh": good["keys"]["p256dh"], "auth": "!!"}}, "base64url"),
            ({**good, "keys": {"p256dh": good["keys"]["p256dh"], "auth": ""}}, "keys.auth"),
            ({"endpoint": good["endpoint"]}, "keys"),
            ({**good, "name": "x" * 101}, "name is longer"),
        ]
        for body, reason in cases:
            response = await hub.client.post(
                "/api/v1/push/subscriptions", json=body, headers=hub.auth
            )
            assert response.status_code == 400, (body, response.text)
            assert reason in response.text, (reason, response.text)
        listed = (await hub.client.get("/api/v1/push/subscriptions", headers=hub.auth)).json()
        assert listed == []


async def test_a_firing_critical_alert_is_pushed_encrypted_with_the_c9_payload(make_hub, clock):
    async with running(make_hub, clock) as (hub, service):
        device = await subscribe(hub, service, "pixel")
        alert_id = await fire(hub)
        (push,) = service.wait(1)
        payload = push.payload
        assert set(payload) == {
            "id",
            "title",
            "body",
            "severity",
            "url",
            "ack_token",
            "status",
            "topic",
        }
        assert payload["id"] == alert_id
        assert payload["title"] == "[FIRING] service_down api"
        assert payload["body"] == "api is down"
        assert payload["severity"] == "critical"
        assert payload["status"] == "firing"
        assert payload["url"] == f"{hub.state.settings.external_url}/alerts/{alert_id}"
        assert len(payload["ack_token"]) >= 40
        assert push.headers["urgency"] == "high"
        assert push.headers["ttl"] == "86400"
        assert push.headers["topic"] == payload["topic"]
        assert len(push.headers["topic"]) <= 32
        assert push.claims["sub"] == "mailto:ops@example.com"
        listed = (await hub.client.get("/api/v1/push/subscriptions", headers=hub.auth)).json()
        assert listed[0]["id"] == device["id"]
        assert listed[0]["last_success_at"] is not None


async def test_a_warning_is_pushed_with_normal_urgency(make_hub, clock):
    async with running(make_hub, clock) as (hub, service):
        await subscribe(hub, service)
        await hub.feed("cpu_usage", 95)
        assert await settle(hub) == 1
        (push,) = service.wait(1)
        assert push.headers["urgency"] == "normal"
        assert push.payload["severity"] == "warning"


async def test_the_resolution_has_the_firing_pushs_topic_and_no_ack_token(make_hub, clock):
    async with running(make_hub, clock) as (hub, service):
        await subscribe(hub, service)
        await fire(hub)
        clock.advance(5)
        await hub.feed("service_health", 1, service="api")
        assert await settle(hub, 400) == 1
        firing, resolved = service.wait(2)
        assert resolved.payload["status"] == "resolved"
        assert resolved.payload["title"].startswith("[RESOLVED] service_down")
        assert resolved.payload["ack_token"] is None
        assert resolved.headers["topic"] == firing.headers["topic"]


async def test_every_device_gets_its_own_push_and_ack_token(make_hub, clock):
    async with running(make_hub, clock) as (hub, service):
        await subscribe(hub, service, "phone")
        await subscribe(hub, service, "laptop")
        await fire(hub)
        pushes = service.wait(2)
        assert sorted(p.device for p in pushes) == [1, 2]
        assert pushes[0].payload["ack_token"] != pushes[1].payload["ack_token"]


async def test_the_ack_token_acknowledges_once_without_a_session(make_hub, clock):
    async with running(make_hub, clock) as (hub, service):
        await subscribe(hub, service, "pixel")
        alert_id = await fire(hub)
        token = service.wait(1)[0].payload["ack_token"]
        no_auth = await hub.client.post(f"/api/v1/alerts/{alert_id}/ack", json={})
        assert no_auth.status_code == 401
        wrong = await hub.client.post(
            f"/api/v1/alerts/{alert_id}/ack", json={"ack_token": "not-a-token"}
        )
        assert wrong.status_code == 403
        assert "not valid" in wrong.text
        acked = await hub.client.post(f"/api/v1/alerts/{alert_id}/ack", json={"ack_token": token})
        assert acked.status_code == 200, acked.text
        assert acked.json()["alert"]["state"] == "acknowledged"
        assert acked.json()["alert"]["acknowledged_by"] == "push:pixel"
        reused = await hub.client.post(f"/api/v1/alerts/{alert_id}/ack", json={"ack_token": token})
        assert reused.status_code == 403
        assert "already used" in reused.text
        shown = (await hub.client.get(f"/api/v1/alerts/{alert_id}", headers=hub.auth)).json()
        assert shown["state"] == "acknowledged"


async def test_an_ack_token_is_refused_for_another_alert_and_after_it_expires(make_hub, clock):
    async with running(make_hub, clock) as (hub, service):
        await subscribe(hub, service)
        alert_id = await fire(hub)
        token = service.wait(1)[0].payload["ack_token"]
        other = await hub.client.post(
            f"/api/v1/alerts/{alert_id + 1}/ack", json={"ack_token": token}
        )
        assert other.status_code == 403
        assert "another alert" in other.text
        clock.advance(86401)
        late = await hub.client.post(f"/api/v1/alerts/{alert_id}/ack", json={"ack_token": token})
        assert late.status_code == 403
        assert "expired" in late.text
        shown = (await hub.client.get(f"/api/v1/alerts/{alert_id}", headers=hub.auth)).json()
        assert shown["state"] == "firing"


async def test_a_gone_subscription_is_removed(make_hub, clock):
    async with running(make_hub, clock, statuses=[410]) as (hub, service):
        await subscribe(hub, service, "old phone")
        await hub.feed("service_health", 0, service="api")
        assert await settle(hub) == 0
        assert service.attempts == 1
        listed = (await hub.client.get("/api/v1/push/subscriptions", headers=hub.auth)).json()
        assert listed == []


async def test_a_busy_push_service_is_asked_again_after_backoff(make_hub, clock):
    async with running(make_hub, clock, statuses=[429, 503]) as (hub, service):
        await subscribe(hub, service)
        await hub.feed("service_health", 0, service="api")
        assert await settle(hub) == 0
        clock.advance(10)
        assert await hub.state.deliverer.deliver_due() == 0
        clock.advance(20)
        assert await hub.state.deliverer.deliver_due() == 1
        assert service.attempts == 3
        (push,) = service.wait(1)
        assert push.payload["status"] == "firing"


async def test_without_devices_the_delivery_fails_for_good_with_a_reason(make_hub, clock):
    async with running(make_hub, clock) as (hub, _service):
        await hub.feed("service_health", 0, service="api")
        assert await settle(hub) == 0
        clock.advance(3600)
        assert await hub.state.deliverer.deliver_due() == 0
        async with hub.state.store.tx() as tx:
            log = await tx.outbox.deliveries(limit=10)
        assert [d.error for d in log] == ["no device has push enabled"]


async def test_an_unreachable_push_service_is_retried_and_no_secret_is_logged(
    make_hub, clock, caplog
):
    async with running(make_hub, clock) as (hub, service):
        sub = service.subscription("pixel")
        sub["endpoint"] = f"http://127.0.0.1:{free_port()}/push/secret-capability"
        created = await hub.client.post("/api/v1/push/subscriptions", json=sub, headers=hub.auth)
        assert created.status_code == 201
        await hub.feed("service_health", 0, service="api")
        assert await settle(hub) == 0
        async with hub.state.store.tx() as tx:
            (delivery,) = await tx.outbox.deliveries(limit=10)
            devices = await tx.push.all()
        assert delivery.error == "pixel: connection failed: ConnectionError"
        assert len(devices) == 1, "a device is only removed when its push service says so"
        pem = (hub.state.settings.data_dir / "vapid_private.pem").read_text()
        secret_line = pem.splitlines()[1]
        for text in (delivery.error, caplog.text):
            assert "secret-capability" not in text
            assert secret_line not in text
        clock.advance(10)
        assert await hub.state.deliverer.deliver_due() == 0
        async with hub.state.store.tx() as tx:
            log = await tx.outbox.deliveries(limit=10)
        assert [d.ok for d in log] == [False, False], "retried, and still unreachable"


async def test_a_push_service_slower_than_the_timeout_is_retried(make_hub, clock):
    slow = CHANNEL + "    timeout: 1s\n"
    async with running(make_hub, clock, channel=slow) as (hub, service):
        service.delay = 1.5
        await subscribe(hub, service, "pixel")
        await hub.feed("service_health", 0, service="api")
        assert await settle(hub) == 0
        async with hub.state.store.tx() as tx:
            (delivery,) = await tx.outbox.deliveries(limit=10)
        assert delivery.error == "pixel: timed out after 1s"
        service.delay = 0
        clock.advance(10)
        assert await hub.state.deliverer.deliver_due() == 1
