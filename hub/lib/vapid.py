"""The hub's VAPID key pair (RFC 8292): made at first start, the private half in a 0600 file."""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid

VAPID_FILE = "vapid_private.pem"
"""Name of the private key file in the data dir."""


@dataclass(frozen=True)
class VapidKeys:
    """The key pair; ``public_key`` is the browser's ``applicationServerKey`` (base64url of the
    uncompressed P-256 point). ``repr`` never shows the private key."""

    vapid: Vapid = field(repr=False)
    public_key: str


def _public_b64(key: ec.EllipticCurvePrivateKey) -> str:
    point = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return base64.urlsafe_b64encode(point).decode().rstrip("=")


def ensure_vapid_keys(path: Path) -> tuple[VapidKeys, bool]:
    """The key pair stored at ``path`` (PEM, PKCS#8), making and storing one if absent.

    Returns:
        The keys and whether they were made now.

    Raises:
        ValueError: the file exists but holds no P-256 private key.
    """
    created = False
    try:
        pem = path.read_bytes()
    except FileNotFoundError:
        key = ec.generate_private_key(ec.SECP256R1())
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_suffix(".tmp")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        temp.replace(path)
        created = True
    else:
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
    try:
        loaded = serialization.load_pem_private_key(pem, password=None)
    except ValueError:
        raise ValueError(f"{path} holds no PEM private key") from None
    if not isinstance(loaded, ec.EllipticCurvePrivateKey) or loaded.curve.name != "secp256r1":
        raise ValueError(f"{path} must hold a P-256 (prime256v1) private key")
    return VapidKeys(Vapid(loaded), _public_b64(loaded)), created
