"""Email: a plain-text and an HTML part, through SMTP with STARTTLS or implicit TLS.

The subject reads like Alertmanager's, ``[FIRING:2] cpu_high api``. SMTP replies are
classified as RFC 5321 does: 4xx transient (retry), 5xx permanent.
"""

from __future__ import annotations

import html
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import ClassVar

import aiosmtplib
import httpx

from hub.channels import present
from hub.domain.config import EmailChannelConfig
from hub.domain.notifications import Notification
from hub.lib.http import DeliveryError


def email_message(notification: Notification, config: EmailChannelConfig) -> EmailMessage:
    """The message for ``notification``: text part, then the HTML alternative."""
    message = EmailMessage()
    message["Subject"] = present.title(notification)
    message["From"] = config.sender
    message["To"] = ", ".join(config.recipients)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=config.sender.rpartition("@")[2] or None)
    text, rows = [present.title(notification), ""], []
    for alert in notification.alerts:
        url, labels = present.alert_url(notification, alert), present.labels_text(alert)
        text += [f"{alert.status.upper()}: {present.summary(alert)}", f"  {labels}", f"  {url}"]
        link = f'<a href="{html.escape(url)}">{html.escape(present.summary(alert))}</a>'
        ack = ""
        if alert.status == "firing":
            ack_url = present.ack_url(notification, alert)
            text.append(f"  acknowledge: {ack_url}")
            ack = f' · <a href="{html.escape(ack_url)}">acknowledge</a>'
        rows.append(
            f"<tr><td>{alert.status}</td><td>{link}{ack}</td><td>{html.escape(labels)}</td></tr>"
        )
    message.set_content("\n".join(text) + "\n")
    colour = f"#{present.colour(notification):06x}"
    message.add_alternative(
        f'<html><body><h2 style="color:{colour}">{html.escape(present.title(notification))}'
        f"</h2><table>{''.join(rows)}</table></body></html>",
        subtype="html",
    )
    return message


class Email:
    """Sends each notification as one email to the configured recipients."""

    kind: ClassVar[str] = "email"

    def __init__(self, config: EmailChannelConfig, client: httpx.AsyncClient | None = None) -> None:
        self._config = config
        self.send_resolved = config.send_resolved

    async def send(self, notification: Notification) -> None:
        """Deliver ``notification``; raises DeliveryError when the server does not take it."""
        config = self._config
        host, _, port = config.smarthost.rpartition(":")
        try:
            await aiosmtplib.send(
                email_message(notification, config),
                hostname=host,
                port=int(port),
                username=config.username,
                password=config.password,
                use_tls=config.tls == "tls",
                start_tls=config.tls == "starttls",
                cert_bundle=config.ca_file,
                timeout=float(config.timeout),
            )
        except aiosmtplib.SMTPTimeoutError:
            raise DeliveryError(f"timed out after {config.timeout:g}s", permanent=False) from None
        except aiosmtplib.SMTPResponseException as exc:
            # the server's own text can echo the login; only the code is kept
            raise DeliveryError(
                f"SMTP server answered {exc.code}", permanent=exc.code >= 500, status=exc.code
            ) from None
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = sorted({e.code for e in exc.recipients})
            raise DeliveryError(
                f"SMTP server refused every recipient ({', '.join(map(str, codes))})",
                permanent=all(code >= 500 for code in codes),
            ) from None
        except (aiosmtplib.SMTPNotSupported, ssl.SSLCertVerificationError) as exc:
            # the server lacks STARTTLS or AUTH, or its certificate is not trusted: only a
            # change of configuration helps
            raise DeliveryError(f"SMTP failed: {type(exc).__name__}", permanent=True) from None
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"SMTP failed: {type(exc).__name__}", permanent=False) from None
