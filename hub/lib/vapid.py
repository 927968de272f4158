"""The hub's VAPID key pair (RFC 8292): made at first start, the private half in a 0600 file.

The key is parsed on first use (the public key asked for, or a push sent), and a new one is
written without ``cryptography`` (a P-256 private key is a random number below the curve's
order), so a hub without push devices never loads ``cryptography`` and ``py_vapid`` (6.6 MB of
its memory), not even at its first start.
"""

from __future__ import annotations

import base64
import os
import re
import secrets
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from py_vapid import Vapid

VAPID_FILE = "vapid_private.pem"
"""Name of the private key file in the data dir."""

P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
"""The order n of P-256's base point: a private key is an integer in [1, n - 1] (SEC 1, 3.2.1)."""

_PKCS8_P256_PREFIX = bytes.fromhex(
    "3041020100301306072a8648ce3d020106082a8648ce3d030107042730250201010420"
)
"""DER of a PKCS#8 PrivateKeyInfo (RFC 5208) holding an ECPrivateKey (RFC 5915) on prime256v1,
up to its 32-byte private key: version 0, algorithm id-ecPublicKey with the curve's OID, and
the ECPrivateKey (version 1, privateKey) without the optional public key, which readers derive."""

_PEM = re.compile(rb"-----BEGIN ([A-Z ]*PRIVATE KEY)-----\s+[A-Za-z0-9+/=\s]+-----END \1-----")


class VapidKeys:
    """The key pair in ``path``; ``public_key`` is the browser's ``applicationServerKey``
    (base64url of the uncompressed P-256 point). ``repr`` never shows the private key."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __repr__(self) -> str:
        return f"VapidKeys(path={str(self.path)!r})"

    @property
    def vapid(self) -> Vapid:
        """The private key, for signing a push's JWT."""
        return self._loaded[0]

    @property
    def public_key(self) -> str:
        """The public key, base64url without padding."""
        return self._loaded[1]

    @cached_property
    def _loaded(self) -> tuple[Vapid, str]:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from py_vapid import Vapid

        try:
            key = serialization.load_pem_private_key(self.path.read_bytes(), password=None)
        except ValueError:
            raise ValueError(f"{self.path} holds no PEM private key") from None
        if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
            raise ValueError(f"{self.path} must hold a P-256 (prime256v1) private key")
        point = key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return Vapid(key), base64.urlsafe_b64encode(point).decode().rstrip("=")


def ensure_vapid_keys(path: Path) -> tuple[VapidKeys, bool]:
    """The key pair stored at ``path`` (PEM, PKCS#8), making and storing one if absent.

    An existing file is only checked to hold a PEM private key here; which key it is (P-256 or
    not) is checked when the key is first used.

    Returns:
        The keys and whether they were made now.

    Raises:
        ValueError: the file exists but holds no PEM private key.
    """
    try:
        pem = path.read_bytes()
    except FileNotFoundError:
        _make_key_file(path)
        return VapidKeys(path), True
    if not _PEM.search(pem):
        raise ValueError(f"{path} holds no PEM private key")
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)
    return VapidKeys(path), False


def _make_key_file(path: Path) -> None:
    """A new P-256 private key at ``path`` (0600, written whole or not at all)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_suffix(".tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(new_private_key_pem())
        handle.flush()
        os.fsync(handle.fileno())
    temp.replace(path)


def new_private_key_pem() -> bytes:
    """A new random P-256 private key as PKCS#8 PEM (what ``openssl genpkey`` writes, without
    the public key)."""
    scalar = secrets.randbelow(P256_ORDER - 1) + 1
    der = _PKCS8_P256_PREFIX + scalar.to_bytes(32, "big")
    body = base64.b64encode(der).decode()
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "\n".join(
        ["-----BEGIN PRIVATE KEY-----", *lines, "-----END PRIVATE KEY-----", ""]
    ).encode()
