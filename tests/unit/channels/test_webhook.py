"""Webhook payload: Alertmanager webhook v4 (C8)."""

from datetime import UTC, datetime

import httpx
import msgspec
import pytest

from hub.channels import CHANNELS
from hub.channels.webhook import Webhook, webhook_payload
from hub.domain.config import WebhookChannelConfig
from hub.domain.notifications import Notification, NotifiedAlert
from hub.lib.http import DeliveryError

START = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def note(*alerts, status="firing"):
    return Notification(
        "ops",
        status,
        '{}:{alertname="cpu"}',
        {"alertname": "cpu"},
        tuple(alerts),
        "http://hub.local:3001",
    )


def alert(host, status="firing", ends=None):
    return NotifiedAlert(
        7,
        status,
        {"alertname": "cpu", "host": host, "severity": "warning"},
        {"message": "CPU high"},
        START,
        ends,
        f"fp-{host}",
        93.5,
    )


def test_payload_has_every_v4_field():
    body = webhook_payload(note(alert("a"), alert("b")))
    assert body["version"] == "4"
    assert body["status"] == "firing"
    assert body["receiver"] == "ops"
    assert body["groupKey"] == '{}:{alertname="cpu"}'
    assert body["truncatedAlerts"] == 0
    assert body["groupLabels"] == {"alertname": "cpu"}
    assert body["commonLabels"] == {"alertname": "cpu", "severity": "warning"}
    assert body["commonAnnotations"] == {"message": "CPU high"}
    assert body["externalURL"] == "http://hub.local:3001"
    first = body["alerts"][0]
    assert first == {
        "status": "firing",
        "labels": {"alertname": "cpu", "host": "a", "severity": "warning"},
        "annotations": {"message": "CPU high"},
        "startsAt": "2026-11-26T12:00:00Z",
        "endsAt": "0001-01-01T00:00:00Z",
        "generatorURL": "http://hub.local:3001/alerts/7",
        "fingerprint": "fp-a",
    }


def test_resolved_alert_carries_its_end_time():
    ended = datetime(2026, 11, 26, 12, 5, 30, tzinfo=UTC)
    body = webhook_payload(note(alert("a", "resolved", ended), status="resolved"))
    assert body["status"] == "resolved"
    assert body["alerts"][0]["endsAt"] == "2026-11-26T12:05:30Z"


async def test_send_posts_the_payload_with_configured_headers():
    seen = []
    transport = httpx.MockTransport(lambda r: seen.append(r) or httpx.Response(200))
    async with httpx.AsyncClient(transport=transport) as client:
        channel = CHANNELS["webhook"](
            WebhookChannelConfig(url="http://r.local/hook", headers={"Authorization": "Bearer t"}),
            client,
        )
        await channel.send(note(alert("a")))
    (request,) = seen
    assert request.headers["authorization"] == "Bearer t"
    assert msgspec.json.decode(request.content)["alerts"][0]["labels"]["host"] == "a"


@pytest.mark.parametrize(
    ("status", "permanent"), [(500, False), (429, False), (400, True), (404, True)]
)
async def test_receiver_errors_become_delivery_errors(status, permanent):
    transport = httpx.MockTransport(lambda r: httpx.Response(status))
    async with httpx.AsyncClient(transport=transport) as client:
        channel = Webhook(WebhookChannelConfig(url="http://r.local/secret-hook"), client)
        with pytest.raises(DeliveryError) as caught:
            await channel.send(note(alert("a")))
    assert caught.value.permanent is permanent
    assert "secret-hook" not in str(caught.value)


def test_send_resolved_follows_the_config():
    client = httpx.AsyncClient()
    assert Webhook(WebhookChannelConfig(url="http://x"), client).send_resolved is True
    assert (
        Webhook(WebhookChannelConfig(url="http://x", send_resolved=False), client).send_resolved
        is False
    )
