"""Durations written as seconds or as strings like ``90s``, ``5m``, ``2h``, ``30d``, ``2y``."""

from __future__ import annotations

import re

_UNITS = {
    "ms": 0.001,
    "s": 1.0,
    "m": 60.0,
    "h": 3600.0,
    "d": 86400.0,
    "w": 604800.0,
    "y": 365 * 86400.0,
}
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)")


class Seconds(float):
    """A duration in seconds, decoded from a number or a duration string."""


def parse_duration(value: object) -> Seconds:
    """Seconds for ``value``: a non-negative number, or a string like ``1h30m``.

    Raises:
        ValueError: the value is not a duration.
    """
    if isinstance(value, bool):
        raise ValueError(f"expected a duration like 90, '90s', '5m' or '2h', got {value!r}")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError(f"a duration cannot be negative, got {value!r}")
        return Seconds(value)
    if isinstance(value, str):
        text = value.strip()
        if text and _PART.sub("", text) == "":
            return Seconds(sum(float(n) * _UNITS[u] for n, u in _PART.findall(text)))
        try:
            return parse_duration(float(text))
        except ValueError:
            pass
    raise ValueError(f"expected a duration like 90, '90s', '5m' or '2h', got {value!r}")


def format_duration(seconds: float) -> str:
    """A short human form: ``300`` -> ``5m``, ``90`` -> ``1m30s``."""
    remaining = round(seconds)
    if remaining == 0:
        return "0s"
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, remaining = divmod(remaining, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)
