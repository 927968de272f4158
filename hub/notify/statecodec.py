"""How pipeline states with durations are stored in ``notify_state``: msgpack, ``Seconds`` as
plain numbers."""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec

from hub.lib.durations import Seconds


def _plain(value: Any) -> Any:
    """Durations (``Seconds``, a float) are stored as plain numbers."""
    if isinstance(value, float):
        return float(value)
    raise NotImplementedError(f"cannot store {type(value)!r}")


def _typed(type_: type, value: Any) -> Any:
    if type_ is Seconds:
        return Seconds(value)
    raise NotImplementedError(f"cannot read {type_!r}")


ENCODER = msgspec.msgpack.Encoder(enc_hook=_plain)
"""Encodes any stored pipeline state."""


T = TypeVar("T")


def decoder(state: type[T]) -> msgspec.msgpack.Decoder[T]:
    """The decoder of one kind of stored state."""
    return msgspec.msgpack.Decoder(state, dec_hook=_typed)
