"""Web Push domain: subscription checks, Topic header, payload size (C9)."""

import base64

import msgspec
import pytest

from hub.domain.push import (
    MAX_PAYLOAD,
    PushPayload,
    PushSubscriptionError,
    SubscriptionCreate,
    SubscriptionKeys,
    check_subscription,
    encode_payload,
    topic,
)

POINT = base64.urlsafe_b64encode(b"\x04" + b"\x01" * 64).decode().rstrip("=")
AUTH = base64.urlsafe_b64encode(b"\x02" * 16).decode().rstrip("=")


def sub(endpoint="https://fcm.googleapis.com/fcm/send/abc", p256dh=POINT, auth=AUTH, name=None):
    return SubscriptionCreate(endpoint, SubscriptionKeys(p256dh, auth), None, name)


def payload(body="disk full", title="[FIRING] disk_full db1"):
    return PushPayload(7, title, body, "critical", "http://hub/alerts/7", "tok", "firing", "t")


def test_a_browser_subscription_is_accepted_and_named_after_its_push_service():
    assert check_subscription(sub()) == "fcm.googleapis.com"
    assert check_subscription(sub(name="  Anna's phone ")) == "Anna's phone"


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (sub(endpoint="javascript:alert(1)"), "endpoint must be an https:// URL"),
        (sub(endpoint="https://" + "a" * 2000), "longer than 2000"),
        (sub(p256dh=""), "keys.p256dh is missing"),
        (sub(p256dh="***"), "keys.p256dh is not base64url"),
        (sub(p256dh=AUTH), "keys.p256dh must be 65 bytes, not 16"),
        (
            sub(p256dh=base64.urlsafe_b64encode(b"\x02" * 65).decode()),
            "uncompressed P-256 point",
        ),
        (sub(auth=POINT), "keys.auth must be 16 bytes, not 65"),
        (sub(name="n" * 101), "name is longer than 100"),
    ],
)
def test_a_malformed_subscription_is_refused_with_its_reason(bad, reason):
    with pytest.raises(PushSubscriptionError, match=reason):
        check_subscription(bad)


def test_topic_is_the_fingerprint_when_it_is_a_valid_topic():
    assert topic("0a1b2c3d4e5f6a7b") == "0a1b2c3d4e5f6a7b"


@pytest.mark.parametrize("fingerprint", ["a/b c", "x" * 33, ""])
def test_topic_is_a_stable_32_char_base64url_digest_otherwise(fingerprint):
    made = topic(fingerprint)
    assert made == topic(fingerprint)
    assert len(made) == 32
    assert set(made) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_a_small_payload_is_sent_unchanged():
    data = encode_payload(payload())
    assert msgspec.json.decode(data) == msgspec.to_builtins(payload())


@pytest.mark.parametrize("body", ["x" * 10_000, '"' * 5000, "é" * 4000, "\u2028" * 3000])
def test_a_long_body_is_cut_to_fit_the_push_limit(body):
    data = encode_payload(payload(body=body))
    assert len(data) <= MAX_PAYLOAD
    decoded = msgspec.json.decode(data)
    assert decoded["body"].endswith("…")
    assert body.startswith(decoded["body"][:-1])
    assert len(data) > MAX_PAYLOAD - 100, "only as much is cut as needed"
    assert decoded["ack_token"] == "tok"


def test_a_huge_title_is_cut_after_the_body():
    data = encode_payload(payload(body="b" * 100, title="t" * 5000))
    assert len(data) <= MAX_PAYLOAD
    decoded = msgspec.json.decode(data)
    assert decoded["body"] == ""
    assert decoded["title"].startswith("ttt")
