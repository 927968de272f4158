"""A local Web Push service on 127.0.0.1 for tests and benchmarks.

It does what a real push service checks (RFC 8292 VAPID: ES256 signature, ``aud`` is its own
origin, ``exp`` in the future and at most 24 h away, the key is the expected one) and, in place
of the browser, decrypts the aes128gcm body (RFC 8291) with the device keys it made itself.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

import http_ece
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import jwt

from tests.helpers import serving

_AUTH = re.compile(r"^vapid t=(?P<t>[^,\s]+),\s*k=(?P<k>[A-Za-z0-9_-]+)$")


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@dataclass
class Device:
    """A browser's half of a subscription: its keys, so the service can decrypt for it."""

    number: int
    private_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes


@dataclass
class Push:
    """One accepted push: the decrypted JSON, the request headers and the JWT claims."""

    device: int
    payload: dict[str, Any]
    headers: dict[str, str]
    claims: dict[str, Any]
    at: float


@dataclass
class PushService:
    """The running service; ``statuses`` are answered in order (after verification), then 201."""

    base: str = ""
    expected_key: str | None = None
    statuses: list[int] = field(default_factory=list)
    devices: dict[int, Device] = field(default_factory=dict)
    pushes: list[Push] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    attempts: int = 0
    delay: float = 0.0
    """Seconds to wait before answering (a slow push service)."""
    arrived: threading.Condition = field(default_factory=threading.Condition)

    def subscription(self, name: str | None = None) -> dict[str, Any]:
        """A new device: what its browser's ``PushSubscription.toJSON()`` would return."""
        number = len(self.devices) + 1
        key = ec.generate_private_key(ec.SECP256R1())
        device = Device(number, key, os.urandom(16))
        self.devices[number] = device
        point = key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        sub: dict[str, Any] = {
            "endpoint": f"{self.base}/push/{number}",
            "expirationTime": None,
            "keys": {"p256dh": b64url(point), "auth": b64url(device.auth_secret)},
        }
        if name is not None:
            sub["name"] = name
        return sub

    def wait(self, count: int = 1, timeout: float = 20.0) -> list[Push]:
        """Block until ``count`` pushes were accepted."""
        deadline = time.monotonic() + timeout
        with self.arrived:
            while len(self.pushes) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"expected {count} pushes, got {len(self.pushes)}; refused: {self.refused}"
                    )
                self.arrived.wait(left)
        return self.pushes

    def verify(self, path: str, headers: dict[str, str], body: bytes) -> tuple[Push | None, str]:
        """The push carried by a request, or why it is refused."""
        match = re.fullmatch(r"/push/(\d+)", path)
        device = self.devices.get(int(match[1])) if match else None
        if device is None:
            return None, "no such subscription"
        auth = _AUTH.match(headers.get("authorization", ""))
        if auth is None:
            return None, "no vapid Authorization header"
        if self.expected_key is not None and auth["k"] != self.expected_key:
            return None, "VAPID key is not the application server key"
        try:
            claims = jwt.decode(auth["t"], auth["k"])
        except Exception as exc:
            return None, f"bad JWT signature ({type(exc).__name__})"
        if claims.get("aud") != self.base:
            return None, f"aud {claims.get('aud')!r} is not {self.base!r}"
        exp = claims.get("exp")
        if not isinstance(exp, int) or not time.time() < exp <= time.time() + 86400:
            return None, f"exp {exp!r} is not within the next 24 h"
        if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
            return None, "sub is not a mailto: or https: contact"
        if "ttl" not in headers:
            return None, "no TTL header"
        if headers.get("content-encoding") != "aes128gcm":
            return None, "Content-Encoding is not aes128gcm"
        try:
            plain = http_ece.decrypt(
                body,
                private_key=device.private_key,
                auth_secret=device.auth_secret,
                version="aes128gcm",
            )
        except Exception as exc:
            return None, f"cannot decrypt ({type(exc).__name__})"
        return Push(device.number, json.loads(plain), headers, claims, time.monotonic()), ""


@contextlib.contextmanager
def push_service(
    statuses: list[int] | None = None, expected_key: str | None = None
) -> Iterator[PushService]:
    """Run a PushService on an ephemeral port of 127.0.0.1."""
    state = PushService(statuses=list(statuses or []), expected_key=expected_key)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            body = self.rfile.read(length)
            headers = {k.lower(): v for k, v in self.headers.items()}
            push, reason = state.verify(self.path, headers, body)
            if state.delay:
                time.sleep(state.delay)
            with state.arrived:
                state.attempts += 1
                if push is None:
                    status = 404 if reason == "no such subscription" else 403
                    state.refused.append(reason)
                else:
                    status = state.statuses.pop(0) if state.statuses else 201
                    if status == 201:
                        state.pushes.append(push)
                state.arrived.notify_all()
            answer = reason.encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: object) -> None:
            pass

    with serving(Handler) as base:
        state.base = base
        yield state
