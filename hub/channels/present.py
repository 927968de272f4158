"""How a notification reads in chat and mail: title, lines per alert, colours and links."""

from __future__ import annotations

from hub.domain.notifications import Notification, NotifiedAlert

COLOURS = {"critical": 0xD62728, "warning": 0xFF9F1C, "info": 0x1F77B4}
"""Severity colours (RGB); a resolved notification is green."""
RESOLVED_COLOUR = 0x2CA02C


def title(notification: Notification) -> str:
    """``[FIRING:2] cpu_high api``: status, firing count, then the group's label values."""
    firing = sum(a.status == "firing" for a in notification.alerts)
    count = firing if notification.status == "firing" else len(notification.alerts)
    values = " ".join(notification.group_labels.values()) or _alertnames(notification)
    return f"[{notification.status.upper()}:{count}] {values}".rstrip()


def _alertnames(notification: Notification) -> str:
    names = dict.fromkeys(a.labels.get("alertname", "") for a in notification.alerts)
    return " ".join(n for n in names if n)


def colour(notification: Notification) -> int:
    """The worst firing severity's colour, or green when all resolved."""
    if notification.status != "firing":
        return RESOLVED_COLOUR
    firing = [a.labels.get("severity", "warning") for a in notification.alerts]
    for severity in ("critical", "warning", "info"):
        if severity in firing:
            return COLOURS[severity]
    return COLOURS["warning"]


def alert_url(notification: Notification, alert: NotifiedAlert) -> str:
    """The alert in the dashboard."""
    return f"{notification.external_url}/alerts/{alert.id}"


def ack_url(notification: Notification, alert: NotifiedAlert) -> str:
    """The dashboard page that acknowledges the alert."""
    return f"{alert_url(notification, alert)}?ack=1"


def summary(alert: NotifiedAlert) -> str:
    """One line about ``alert``: its summary (or name) and the value that crossed."""
    text = (
        alert.annotations.get("summary")
        or alert.annotations.get("message")
        or alert.labels.get("alertname", "alert")
    )
    value = "" if alert.value is None else f" (value {alert.value:g})"
    return f"{text}{value}"


def labels_text(alert: NotifiedAlert) -> str:
    """``host=db1, service=api``: the labels that tell this alert apart."""
    shown = {k: v for k, v in alert.labels.items() if k not in ("alertname", "severity")}
    return ", ".join(f"{k}={v}" for k, v in shown.items())


def truncate(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis when longer."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
