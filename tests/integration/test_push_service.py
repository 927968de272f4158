"""The local push service refuses what a real one would: it is only a fair peer if it can fail."""

import base64
import time

import pytest
from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

from tests.push_service import push_service


def public_key(vapid: Vapid) -> str:
    point = vapid.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return base64.urlsafe_b64encode(point).decode().rstrip("=")


def send(sub, vapid, **claims):
    webpush(
        sub,
        data='{"id": 1}',
        vapid_private_key=vapid,
        vapid_claims={"sub": "mailto:ops@example.com", **claims},
        ttl=60,
        timeout=5,
    )


def test_a_correct_push_is_decrypted():
    vapid = Vapid()
    vapid.generate_keys()
    with push_service(expected_key=public_key(vapid)) as service:
        send(service.subscription(), vapid)
        (push,) = service.wait(1)
        assert push.payload == {"id": 1}
        assert push.claims["aud"] == service.base


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"aud": "http://127.0.0.1:1"}, "aud"),
        ({"exp": int(time.time()) + 3 * 86400}, "exp"),
    ],
)
def test_wrong_claims_are_refused(claims, reason):
    vapid = Vapid()
    vapid.generate_keys()
    with push_service(expected_key=public_key(vapid)) as service:
        with pytest.raises(WebPushException) as caught:
            send(service.subscription(), vapid, **claims)
        assert caught.value.response.status_code == 403
        assert service.refused[0].startswith(reason)
        assert service.pushes == []


def test_a_push_signed_with_another_key_is_refused():
    hub, other = Vapid(), Vapid()
    hub.generate_keys()
    other.generate_keys()
    with push_service(expected_key=public_key(hub)) as service:
        with pytest.raises(WebPushException):
            send(service.subscription(), other)
        assert service.refused == ["VAPID key is not the application server key"]


def test_a_body_encrypted_for_another_device_is_refused():
    vapid = Vapid()
    vapid.generate_keys()
    with push_service() as service:
        mine, theirs = service.subscription(), service.subscription()
        with pytest.raises(WebPushException):
            send({**theirs, "endpoint": mine["endpoint"]}, vapid)
        assert service.refused == ["cannot decrypt (ECEException)"]


def test_a_token_signed_by_another_key_under_the_right_k_is_refused():
    hub, forger = Vapid(), Vapid()
    hub.generate_keys()
    forger.generate_keys()
    with push_service(expected_key=public_key(hub)) as service:
        service.subscription()
        claims = {"sub": "mailto:x@example.com", "aud": service.base, "exp": int(time.time()) + 60}
        token = forger.sign(claims)["Authorization"].split("t=")[1].split(",")[0]
        headers = {"authorization": f"vapid t={token},k={public_key(hub)}", "ttl": "60"}
        push, reason = service.verify("/push/1", headers, b"")
        assert push is None
        assert reason == "bad JWT signature (InvalidSignature)"
