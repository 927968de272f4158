"""Building the notification about one alert."""

from __future__ import annotations

from hub.domain.alerts import Alert
from hub.domain.notifications import Notification, NotifiedAlert


def group_key(labels: dict[str, str]) -> str:
    """Alertmanager's group key for a group of one alert (``group_by: ['...']``)."""
    inner = ", ".join(f'{k}="{labels[k]}"' for k in sorted(labels))
    return "{}:{" + inner + "}"


def notification_for(alert: Alert, receiver: str, external_url: str) -> Notification:
    """The notification telling ``receiver`` about ``alert`` in its current state."""
    status = "resolved" if alert.resolved_at is not None else "firing"
    notified = NotifiedAlert(
        id=alert.id,
        status=status,
        labels=alert.labels,
        annotations=alert.annotations,
        starts_at=alert.started_at,
        ends_at=alert.resolved_at,
        fingerprint=alert.fingerprint,
        value=alert.value,
    )
    return Notification(
        receiver=receiver,
        status=status,
        group_key=group_key(alert.labels),
        group_labels=alert.labels,
        alerts=(notified,),
        external_url=external_url,
    )
