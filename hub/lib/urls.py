"""Checks on URLs people configure: scheme, host, and (when asked) no private addresses."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

PRIVATE_NAMES = ("localhost", "localhost.localdomain")


def url_problem(url: str, *, allow_private: bool = True) -> str | None:
    """Why ``url`` is refused, or None.

    Args:
        url: the configured URL.
        allow_private: when False, hosts that are loopback, private (RFC 1918, fc00::/7),
            link-local (cloud metadata at 169.254.169.254), unspecified or reserved addresses,
            or ``localhost``, are refused. Names are not resolved here: a public name that
            resolves to a private address is not caught (a resolving check would be racy).
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "expected an http:// or https:// URL"
    if parts.scheme not in ("http", "https") or not parts.hostname or port == 0:
        return "expected an http:// or https:// URL"
    if allow_private:
        return None
    host = parts.hostname.rstrip(".").lower()
    if host in PRIVATE_NAMES or host.endswith(".localhost"):
        return f"{host} is a local address (hub.allow_private_urls is false)"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    if not address.is_global or address.is_multicast:
        return f"{host} is a private or reserved address (hub.allow_private_urls is false)"
    return None
