"""Web Push channel: how push service answers are classified and what a push says (C9)."""

from datetime import UTC, datetime

import pytest

from hub.channels import CHANNELS
from hub.channels.webpush import Outcome, WebPush, classify, push_payload
from hub.domain.notifications import NotifiedAlert

START = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def alert(labels, annotations, status="firing"):
    return NotifiedAlert(3, status, labels, annotations, START, None, "0123456789abcdef")


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (201, Outcome.SENT),
        (202, Outcome.SENT),
        (404, Outcome.GONE),
        (410, Outcome.GONE),
        (429, Outcome.RETRY),
        (500, Outcome.RETRY),
        (503, Outcome.RETRY),
        (None, Outcome.RETRY),
        (400, Outcome.FAILED),
        (401, Outcome.FAILED),
        (403, Outcome.FAILED),
        (413, Outcome.FAILED),
    ],
)
def test_push_service_answers_are_sent_gone_retried_or_failed(status, outcome):
    assert classify(status) is outcome


def test_the_registry_knows_webpush():
    assert CHANNELS["webpush"] is WebPush
    assert WebPush.kind == "webpush"


def test_the_title_names_the_rule_and_where_and_the_body_is_the_summary():
    labels = {"alertname": "disk_full", "host": "db1", "severity": "critical", "mount": "/"}
    annotations = {"summary": "disk 97% full", "message": "m"}
    made = push_payload(alert(labels, annotations), "https://h", "t")
    assert made.title == "[FIRING] disk_full db1"
    assert made.body == "disk 97% full"
    assert made.severity == "critical"
    assert made.url == "https://h/alerts/3"
    assert made.topic == "0123456789abcdef"
    assert made.ack_token == "t"


def test_a_service_is_named_before_its_host_and_a_bare_alert_still_reads():
    service = push_payload(
        alert({"alertname": "down", "service": "api", "host": "h"}, {"message": "gone"}), "", None
    )
    assert service.title == "[FIRING] down api"
    assert service.body == "gone"
    bare = push_payload(alert({}, {}, status="resolved"), "", None)
    assert bare.title == "[RESOLVED] alert"
    assert bare.body == ""
    assert bare.severity == "warning"
