"""Every channel against a real receiver on 127.0.0.1: payloads checked against the vendors'
documented formats, and the conformance table every channel passes (status -> retry or
permanent; no secret in errors or logs)."""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from datetime import UTC, datetime
from email.utils import formatdate

import pytest

from hub.channels import CHANNELS
from hub.domain.config import (
    AppriseChannelConfig,
    DiscordChannelConfig,
    SlackChannelConfig,
    WebhookChannelConfig,
)
from hub.domain.notifications import Notification, NotifiedAlert
from hub.lib.http import DeliveryError, create_client
from tests.channel_peers import Answer, hook

T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
SECRET = "very-secret-token"


def alert(n=1, status="firing", severity="critical", service="api", **labels):
    return NotifiedAlert(
        id=n,
        status=status,
        labels={"alertname": "cpu_high", "severity": severity, "service": service, **labels},
        annotations={"summary": "CPU usage above 80% for 5 minutes"},
        starts_at=T0,
        ends_at=None if status == "firing" else T0,
        fingerprint=f"fp{n}",
        value=93.5,
    )


def note(*alerts, status="firing"):
    return Notification(
        receiver="ops",
        status=status,
        group_key='{}:{alertname="cpu_high"}',
        group_labels={"alertname": "cpu_high", "service": "api"},
        alerts=alerts or (alert(),),
        external_url="https://hub.example",
    )


def config_for(kind: str, url: str, timeout: float = 5.0):
    if kind == "webhook":
        return WebhookChannelConfig(url=url, timeout=timeout)
    if kind == "slack":
        return SlackChannelConfig(url=url, timeout=timeout)
    if kind == "discord":
        return DiscordChannelConfig(url=url, timeout=timeout)
    return AppriseChannelConfig(url=url.replace("http://", "json://"), timeout=timeout)


@pytest.fixture
async def http():
    async with create_client() as client:
        yield client


async def test_slack_posts_block_kit_with_severity_colour_value_and_links(http):
    with hook() as peer:
        config = SlackChannelConfig(url=peer.url, channel="#alerts", username="tcf-hub")
        await CHANNELS["slack"](config, http).send(note(alert(1), alert(2, service="web")))
        (body,) = peer.wait(1)
    assert body["text"] == "[FIRING:2] cpu_high api"
    assert body["channel"] == "#alerts" and body["username"] == "tcf-hub"
    (attachment,) = body["attachments"]
    assert attachment["color"] == "#d62728"  # critical
    blocks = attachment["blocks"]
    assert blocks[0] == {"type": "header", "text": {"type": "plain_text", "text": body["text"]}}
    section = blocks[1]["text"]
    assert section["type"] == "mrkdwn"
    assert (
        "<https://hub.example/alerts/1|CPU usage above 80% for 5 minutes (value 93.5)>"
        in (section["text"])
    )
    assert "service=api" in section["text"]
    buttons = blocks[2]["elements"]
    assert [b["url"] for b in buttons] == [
        "https://hub.example/alerts/1",
        "https://hub.example/alerts/1?ack=1",
    ]
    assert peer.headers[0]["Content-Type"] == "application/json"


async def test_slack_resolved_is_green_without_ack_buttons(http):
    with hook() as peer:
        config = SlackChannelConfig(url=peer.url)
        await CHANNELS["slack"](config, http).send(
            note(alert(status="resolved"), status="resolved")
        )
        (body,) = peer.wait(1)
    assert body["text"] == "[RESOLVED:1] cpu_high api"
    assert body["attachments"][0]["color"] == "#2ca02c"
    assert all(b["type"] != "actions" for b in body["attachments"][0]["blocks"])
    assert "channel" not in body


async def test_discord_embed_respects_the_documented_limits(http):
    many = [alert(i, host="h" * 300) for i in range(200)]
    with hook() as peer:
        config = DiscordChannelConfig(url=peer.url, username="hub")
        await CHANNELS["discord"](config, http).send(note(*many))
        (body,) = peer.wait(1)
    (embed,) = body["embeds"]
    assert body["content"] == "[FIRING:200] cpu_high api"
    assert len(body["content"]) <= 2000
    assert len(embed["title"]) <= 256
    assert len(embed["description"]) == 4096 and embed["description"].endswith("…")
    assert embed["color"] == 0xD62728
    assert embed["description"].startswith("🔴 [CPU usage above 80% for 5 minutes (value 93.5)]")
    assert "[acknowledge](https://hub.example/alerts/0?ack=1)" in embed["description"]
    assert body["allowed_mentions"] == {"parse": []}
    assert body["username"] == "hub"


async def test_webhook_signs_the_raw_body_with_hmac_and_sends_custom_headers(http):
    with hook() as peer:
        config = WebhookChannelConfig(
            url=peer.url, headers={"X-Team": "ops"}, hmac_secret="s3cret", hmac_header="X-Sig"
        )
        await CHANNELS["webhook"](config, http).send(note())
        peer.wait(1)
    expected = hmac.new(b"s3cret", peer.raw[0], hashlib.sha256).hexdigest()
    assert peer.headers[0]["X-Sig"] == f"sha256={expected}"
    assert peer.headers[0]["X-Team"] == "ops"
    assert peer.bodies[0]["version"] == "4"


async def test_webhook_without_a_secret_sends_no_signature(http):
    with hook() as peer:
        await CHANNELS["webhook"](WebhookChannelConfig(url=peer.url), http).send(note())
        peer.wait(1)
    assert "X-Hub-Signature-256" not in peer.headers[0]


async def test_apprise_delivers_to_a_json_target(http):
    with hook() as peer:
        config = AppriseChannelConfig(url=peer.url.replace("http://", "json://"))
        await CHANNELS["apprise"](config, http).send(note())
        (body,) = peer.wait(1)
    assert body["title"] == "[FIRING:1] cpu_high api"
    assert "FIRING: CPU usage above 80% for 5 minutes (value 93.5)" in body["message"]
    assert "https://hub.example/alerts/1" in body["message"]
    assert body["type"] == "failure"


async def test_apprise_url_it_cannot_read_is_permanent(http):
    channel = CHANNELS["apprise"](AppriseChannelConfig(url=f"nope://{SECRET}"), http)
    with pytest.raises(DeliveryError) as caught:
        await channel.send(note())
    assert caught.value.permanent
    assert SECRET not in str(caught.value)


HTTP_KINDS = ["webhook", "slack", "discord", "apprise"]
# status -> permanent? Apprise reports only success or failure, so any failure is retried
# (until the outbox's max age).
TABLE = [
    (400, True),
    (401, True),
    (403, True),
    (404, True),
    (410, True),
    (429, False),
    (500, False),
    (502, False),
    (503, False),
]


@pytest.mark.parametrize("kind", HTTP_KINDS)
@pytest.mark.parametrize(("status", "permanent"), TABLE)
async def test_conformance_status_is_retry_or_permanent_and_leaks_no_secret(
    http, caplog, kind, status, permanent
):
    caplog.set_level(logging.DEBUG)
    with hook(Answer(status, body=f'{{"echo": "{SECRET}"}}'.encode())) as peer:
        channel = CHANNELS[kind](config_for(kind, peer.url), http)
        with pytest.raises(DeliveryError) as caught:
            await channel.send(note())
        peer.wait(1)
    assert caught.value.permanent is (permanent and kind != "apprise")
    if kind != "apprise":
        assert caught.value.status == status
        assert str(status) in str(caught.value)
    assert SECRET not in str(caught.value)
    assert SECRET not in caplog.text


@pytest.mark.parametrize("kind", HTTP_KINDS)
async def test_conformance_timeout_and_refused_connection_are_retried(http, caplog, kind):
    caplog.set_level(logging.DEBUG)
    with hook(Answer(200, delay=1.5)) as peer:
        channel = CHANNELS[kind](config_for(kind, peer.url, timeout=0.3), http)
        with pytest.raises(DeliveryError) as slow:
            await channel.send(note())
    with hook() as down:
        down.stop()
        channel = CHANNELS[kind](config_for(kind, down.url), http)
        with pytest.raises(DeliveryError) as refused:
            await channel.send(note())
    assert not slow.value.permanent and not refused.value.permanent
    assert "timed out" in str(slow.value)
    for error in (slow.value, refused.value):
        assert SECRET not in str(error)
    assert SECRET not in caplog.text


@pytest.mark.parametrize("kind", ["webhook", "slack", "discord"])
async def test_429_retry_after_is_read_as_seconds_or_as_a_date(http, kind):
    with hook(
        Answer(429, {"Retry-After": "17"}),
        # an HTTP date is read against the receiver's own Date header (its clock)
        Answer(503, {"Retry-After": formatdate(time.time() + 90, usegmt=True)}),
    ) as peer:
        channel = CHANNELS[kind](config_for(kind, peer.url), http)
        waits = []
        for _ in range(2):
            with pytest.raises(DeliveryError) as caught:
                await channel.send(note())
            waits.append(caught.value.retry_after)
    assert waits[0] == 17.0
    assert 88 <= waits[1] <= 91
