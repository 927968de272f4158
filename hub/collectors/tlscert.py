"""When a service's TLS certificate expires: read from the probe's own connection, else from a
separate unverified handshake at most once an hour.

The probe goes through the hub's shared, verifying HTTP client, so for a trusted certificate the
peer certificate is read off that very connection (httpx's documented ``network_stream``
extension). An untrusted or expired certificate fails that handshake, yet its expiry is exactly
what people want to see; for it we open one plain TLS connection without verification — only to
read the certificate, never to send a request — and cache the answer for an hour.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from datetime import UTC, datetime, timedelta

import httpx

from hub.lib.clock import Clock

log = logging.getLogger(__name__)

HANDSHAKE_EVERY = timedelta(hours=1)
"""How long a certificate read by a separate handshake (or a failed attempt) is trusted."""

_UTC_TIME = 0x17
_GENERALIZED_TIME = 0x18
_VERSION_TAG = 0xA0


def not_after(der: bytes) -> datetime:
    """The end of validity of a DER-encoded X.509 certificate (RFC 5280 §4.1).

    Raises:
        ValueError: not a certificate this reader understands.
    """
    try:
        _, body, _ = _tlv(der, 0)  # Certificate
        _, pos, _ = _tlv(der, body)  # tbsCertificate
        tag, _, end = _tlv(der, pos)
        if tag == _VERSION_TAG:
            pos = end
        for _ in range(3):  # serialNumber, signature, issuer
            _, _, pos = _tlv(der, pos)
        _, validity, _ = _tlv(der, pos)
        _, _, after = _tlv(der, validity)  # skip notBefore
        tag, start, end = _tlv(der, after)
        return _asn1_time(tag, der[start:end].decode("ascii"))
    except (IndexError, UnicodeDecodeError) as exc:
        raise ValueError("not a DER X.509 certificate") from exc


def peer_certificate(response: httpx.Response) -> bytes | None:
    """The DER certificate of the TLS connection ``response`` came over, while it is open."""
    stream = response.extensions.get("network_stream")
    if stream is None:
        return None
    ssl_object = stream.get_extra_info("ssl_object")
    if ssl_object is None:
        return None
    der = ssl_object.getpeercert(binary_form=True)
    return der if isinstance(der, bytes) else None


async def fetch_certificate(host: str, port: int, seconds: float) -> bytes:
    """The DER certificate ``host:port`` presents, read by a handshake without verification.

    Raises:
        OSError, TimeoutError, ssl.SSLError: no TLS handshake could be made.
    """
    context = ssl.create_default_context()
    # Only the certificate is read: nothing is sent over this connection, so accepting an
    # untrusted peer is safe, and it is the point (an expired or self-signed certificate).
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    async with asyncio.timeout(seconds):
        _, writer = await asyncio.open_connection(host, port, ssl=context, server_hostname=host)
    try:
        der = writer.get_extra_info("ssl_object").getpeercert(binary_form=True)
    finally:
        writer.close()
        with contextlib.suppress(OSError, ssl.SSLError):
            await writer.wait_closed()
    if not isinstance(der, bytes):
        raise ssl.SSLError("the peer sent no certificate")
    return der


class CertExpiry:
    """The expiry of one service's certificate; a reading is good for an hour."""

    def __init__(self, clock: Clock, url: str) -> None:
        parsed = httpx.URL(url)
        self._clock = clock
        self._host = parsed.host
        self._port = parsed.port or 443
        self._reading: tuple[datetime, datetime] | None = None
        """When the certificate was read, and when it expires."""
        self._tried_at: datetime | None = None

    async def days_left(self, der: bytes | None, seconds: float) -> float | None:
        """Days until expiry (negative once expired), None while unknown.

        Args:
            der: the certificate the probe just came over, if it got that far.
            seconds: how long a separate handshake may take, when one is due.
        """
        now = self._clock.now()
        if der is not None:
            self._read(now, der)
        elif self._due(now):
            self._tried_at = now
            try:
                der = await fetch_certificate(self._host, self._port, seconds)
            except (OSError, TimeoutError) as exc:  # ssl.SSLError is an OSError
                log.debug("no TLS handshake with %s:%s: %r", self._host, self._port, exc)
            else:
                self._read(now, der)
        if self._reading is None or now - self._reading[0] >= HANDSHAKE_EVERY:
            return None
        return (self._reading[1] - now).total_seconds() / 86400

    def _due(self, now: datetime) -> bool:
        fresh = self._reading is not None and now - self._reading[0] < HANDSHAKE_EVERY
        tried = self._tried_at is not None and now - self._tried_at < HANDSHAKE_EVERY
        return not fresh and not tried

    def _read(self, now: datetime, der: bytes) -> None:
        try:
            self._reading = (now, not_after(der))
        except ValueError as exc:
            log.debug("unreadable certificate from %s:%s: %s", self._host, self._port, exc)


def _tlv(der: bytes, pos: int) -> tuple[int, int, int]:
    """Tag, start and end of the content of the DER element at ``pos``."""
    tag, length = der[pos], der[pos + 1]
    pos += 2
    if length & 0x80:
        size = length & 0x7F
        length = int.from_bytes(der[pos : pos + size], "big")
        pos += size
    if pos + length > len(der):
        raise IndexError("element runs past the end")
    return tag, pos, pos + length


def _asn1_time(tag: int, text: str) -> datetime:
    if tag == _UTC_TIME:  # YYMMDDHHMMSSZ; RFC 5280: 50-99 are 19xx
        year = int(text[:2])
        text = f"{1900 + year if year >= 50 else 2000 + year}{text[2:]}"
    elif tag != _GENERALIZED_TIME:
        raise ValueError(f"unexpected ASN.1 time tag {tag:#x}")
    return datetime.strptime(text, "%Y%m%d%H%M%SZ").replace(tzinfo=UTC)
