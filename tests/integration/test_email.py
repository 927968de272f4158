"""Email through a real SMTP server (aiosmtpd on 127.0.0.1): STARTTLS with a login, implicit
TLS, both parts, the subject, and SMTP replies classified as retry or permanent."""

from __future__ import annotations

import logging

import pytest

from hub.channels.email import Email
from hub.domain.config import EmailChannelConfig
from hub.lib.http import DeliveryError
from tests.channel_peers import smtp_server
from tests.http_peers import make_certificate
from tests.integration.test_channels import alert, note

PASSWORD = "smtp-pa55word-secret"


@pytest.fixture(scope="module")
def cert(tmp_path_factory):
    return make_certificate(tmp_path_factory.mktemp("smtp-tls"), days=2)


def mail(port, **fields):
    return EmailChannelConfig(
        to=("ops@example.com", "dev@example.com"),
        sender="hub@example.com",
        smarthost=f"127.0.0.1:{port}",
        **fields,
    )


async def test_starttls_with_login_delivers_text_and_html_parts(cert):
    async with smtp_server(starttls=cert.server_context(), login=("hub", PASSWORD)) as box:
        config = mail(box.port, username="hub", password=PASSWORD, ca_file=str(cert.cert))
        await Email(config).send(note(alert(1), alert(2, service="web")))
    (message,) = box.messages
    assert box.logins == ["hub"]
    assert box.envelopes == [("hub@example.com", ["ops@example.com", "dev@example.com"])]
    assert message["Subject"] == "[FIRING:2] cpu_high api"
    assert message["From"] == "hub@example.com"
    assert message["To"] == "ops@example.com, dev@example.com"
    assert message["Message-ID"].endswith("@example.com>")
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "FIRING: CPU usage above 80% for 5 minutes (value 93.5)" in text
    assert "acknowledge: https://hub.example/alerts/1?ack=1" in text
    assert '<a href="https://hub.example/alerts/2">' in html
    assert 'style="color:#d62728"' in html


async def test_implicit_tls_delivers(cert):
    async with smtp_server(implicit_tls=cert.server_context()) as box:
        config = mail(box.port, tls="tls", ca_file=str(cert.cert))
        await Email(config).send(note(alert(status="resolved"), status="resolved"))
    assert box.messages[0]["Subject"] == "[RESOLVED:1] cpu_high api"


async def test_untrusted_certificate_is_permanent(cert):
    async with smtp_server(starttls=cert.server_context()) as box:
        with pytest.raises(DeliveryError) as caught:
            await Email(mail(box.port)).send(note())  # system CAs do not know this cert
    assert caught.value.permanent
    assert box.messages == []


async def test_wrong_password_is_permanent_and_never_shown(cert, caplog):
    caplog.set_level(logging.DEBUG)
    async with smtp_server(starttls=cert.server_context(), login=("hub", "right")) as box:
        config = mail(box.port, username="hub", password=PASSWORD, ca_file=str(cert.cert))
        with pytest.raises(DeliveryError) as caught:
            await Email(config).send(note())
    assert caught.value.permanent and caught.value.status == 535
    assert PASSWORD not in str(caught.value) and PASSWORD not in caplog.text


@pytest.mark.parametrize(
    ("reply", "permanent"),
    [("550 5.1.1 no such user", True), ("451 4.3.0 try again later", False)],
)
async def test_smtp_replies_are_permanent_5xx_or_transient_4xx(reply, permanent):
    async with smtp_server() as box:
        box.refuse_with = reply
        with pytest.raises(DeliveryError) as caught:
            await Email(mail(box.port, tls="none")).send(note())
    assert caught.value.permanent is permanent
    assert caught.value.status == int(reply[:3])


async def test_server_down_is_retried():
    async with smtp_server() as box:
        port = box.port
    with pytest.raises(DeliveryError) as caught:
        await Email(mail(port, tls="none")).send(note())
    assert not caught.value.permanent
