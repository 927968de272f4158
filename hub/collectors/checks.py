"""What makes an HTTP probe's response "up": status, keyword and JSON checks (pure)."""

from __future__ import annotations

import json

from hub.domain.config import ServiceConfig

_MISSING = object()


def failed_check(config: ServiceConfig, status: int, body: bytes) -> str | None:
    """Why a response means the service is down, or None when every configured check passes.

    Checks run in order: status, then ``keyword``, then ``json_path``/``json_value``.
    """
    if not status_ok(config.expected_status, status):
        return f"HTTP {status}, expected {_expected_text(config.expected_status)}"
    text = body.decode("utf-8", errors="replace")
    if config.keyword is not None and config.keyword not in text:
        return f"keyword {config.keyword!r} not in the body"
    if config.json_path is not None:
        return _json_check(text, config.json_path, config.json_value)
    return None


def status_ok(expected: int | tuple[int, ...] | None, status: int) -> bool:
    """``status`` is one of ``expected``; with nothing expected, any 2xx or 3xx is up."""
    if expected is None:
        return 200 <= status < 400
    if isinstance(expected, int):
        return status == expected
    return status in expected


def json_lookup(data: object, path: str) -> object:
    """The value at a dotted ``path`` (``checks.db.status``, ``items.0.ok``) in decoded JSON.

    Raises:
        KeyError: the path does not lead to a value.
    """
    current = data
    for key in path.split("."):
        if isinstance(current, dict) and key in current:
            current = current[key]
        elif isinstance(current, list) and key.isdigit() and int(key) < len(current):
            current = current[int(key)]
        else:
            raise KeyError(key)
    return current


def as_text(value: object) -> str:
    """A JSON value as the text a config compares it with: strings as they are, the rest in
    JSON notation (``true``, ``null``, ``1``, ``1.5``)."""
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def _json_check(text: str, path: str, expected: str | None) -> str | None:
    try:
        data = json.loads(text)
    except ValueError:
        return "the body is not JSON"
    try:
        value = json_lookup(data, path)
    except KeyError:
        return f"JSON path {path} not found"
    if expected is not None and as_text(value) != expected:
        return f"JSON {path} is {as_text(value)!r}, expected {expected!r}"
    return None


def _expected_text(expected: int | tuple[int, ...] | None) -> str:
    if expected is None:
        return "2xx or 3xx"
    if isinstance(expected, int):
        return str(expected)
    return " or ".join(str(code) for code in expected)
