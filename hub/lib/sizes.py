"""Sizes written as bytes or strings like ``500MB``, ``2GB``, ``1.5GiB``."""

from __future__ import annotations

import re

_UNITS = {
    "": 1,
    "b": 1,
    "kb": 10**3,
    "mb": 10**6,
    "gb": 10**9,
    "tb": 10**12,
    "kib": 2**10,
    "mib": 2**20,
    "gib": 2**30,
    "tib": 2**40,
}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$")


class Bytes(int):
    """A size in bytes, decoded from a number or a size string."""


def parse_size(value: object) -> Bytes:
    """Bytes for ``value``: a non-negative integer, or a string like ``2GB`` or ``512MiB``.

    Raises:
        ValueError: the value is not a size.
    """
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return Bytes(value)
    if isinstance(value, str):
        match = _SIZE.match(value)
        if match and match[2].lower() in _UNITS:
            return Bytes(int(float(match[1]) * _UNITS[match[2].lower()]))
    raise ValueError(f"expected a size like 500MB, 2GB or 1GiB, got {value!r}")
