"""Lossless chunk encoding of one series' samples: timestamps and float64 values.

Layout (version 1): ``b"\\x01" + mode + zlib(payload)``. Timestamps (ms) are stored as their
first value and delta-of-deltas: a steady 10 s interval becomes a run of zeros. Values use the
smaller of two encodings, each checked to round-trip bit for bit before it is chosen:

- ``D`` (decimal): values that are exact decimals with few digits (psutil's ``12.3`` percent,
  byte counts) are stored as scaled integers, delta-encoded;
- ``X`` (XOR): each value's IEEE-754 bits XOR the previous value's (Gorilla's idea), which
  keeps NaN payloads, ±Inf and -0.0 exactly.

Integer columns are little-endian int64 arrays, byte-shuffled (all first bytes, then all second
bytes …) so that zlib sees long runs of equal high bytes. Everything runs at C speed except one
generator per column, so a chunk of 360 samples encodes in well under a millisecond.
"""

from __future__ import annotations

import math
import struct
import sys
import zlib
from array import array
from collections.abc import Sequence

VERSION = 1
_DECIMAL, _XOR = b"D", b"X"
_MAX_DECIMALS = 6
_HEADER = struct.Struct("<BcIq")  # version, value mode, count, first timestamp
_LEVEL = 6


class CodecError(ValueError):
    """Bytes that are not a chunk this version can read."""


def encode(times_ms: Sequence[int], values: Sequence[float]) -> bytes:
    """One chunk for samples ordered by time (no duplicate timestamps).

    Raises:
        ValueError: the columns differ in length or are empty.
    """
    count = len(times_ms)
    if count != len(values) or count == 0:
        raise ValueError("a chunk needs as many values as timestamps, and at least one")
    first = times_ms[0]
    columns = _shuffle(_i64(_delta_of_delta(times_ms)))
    raw = array("d", values)
    decimal = _decimal_column(raw)
    if decimal is not None:
        mode, value_bytes = _DECIMAL, decimal
    else:
        mode, value_bytes = _XOR, _shuffle(_xor_column(raw))
    payload = zlib.compress(columns + value_bytes, _LEVEL)
    return _HEADER.pack(VERSION, mode, count, first) + payload


def decode(chunk: bytes) -> tuple[list[int], list[float]]:
    """Timestamps (ms) and values of a chunk, exactly as encoded.

    Raises:
        CodecError: the bytes are not a valid chunk.
    """
    try:
        version, mode, count, first = _HEADER.unpack_from(chunk)
        body = zlib.decompress(chunk[_HEADER.size :])
    except (struct.error, zlib.error) as exc:
        raise CodecError(f"not a tsdb chunk: {exc}") from None
    if version != VERSION or mode not in (_DECIMAL, _XOR) or len(body) < 16 * count:
        raise CodecError("not a tsdb chunk: unknown version, mode or length")
    split = 8 * count
    dods = _from_i64(_unshuffle(body[:split]))
    times = _undo_delta_of_delta(first, dods)
    if mode == _DECIMAL:
        values = _undo_decimal(body[split:], count)
    else:
        values = _undo_xor(_unshuffle(body[split : split + 8 * count]))
    return times, values


def _delta_of_delta(times: Sequence[int]) -> list[int]:
    """``[0, d1, d2-d1, …]`` where ``d_i = t_i - t_{i-1}``; the first time is in the header."""
    out = [0] * len(times)
    previous_delta = 0
    for i in range(1, len(times)):
        delta = times[i] - times[i - 1]
        out[i] = delta - previous_delta
        previous_delta = delta
    return out


def _undo_delta_of_delta(first: int, dods: Sequence[int]) -> list[int]:
    out = [first] * len(dods)
    delta = 0
    for i in range(1, len(dods)):
        delta += dods[i]
        out[i] = out[i - 1] + delta
    return out


def _decimal_column(raw: array[float]) -> bytes | None:
    """``scale digit + shuffled int64 deltas`` if every value is an exact short decimal."""
    if not all(math.isfinite(v) for v in raw):
        return None
    original = raw.tobytes()
    # A few values tell how many digits the column needs at least; full-precision floats fail
    # here at once instead of after seven passes over the whole column.
    first = _decimal_digits(raw[:8])
    if first is None:
        return None
    for digits in range(first, _MAX_DECIMALS + 1):
        scale = 10**digits
        try:
            ints = array("q", (round(v * scale) for v in raw))
            back = array("d", (i / scale for i in ints))
            if back.tobytes() == original:  # bit for bit, so -0.0 and 0.1+0.2 stay exact
                deltas = array("q", [ints[0]])
                deltas.extend(ints[i] - ints[i - 1] for i in range(1, len(ints)))
                return bytes([digits]) + _shuffle(_le(deltas))
        except OverflowError:  # scaled values or their differences leave int64: use XOR
            return None
    return None


def _decimal_digits(values: array[float]) -> int | None:
    """The fewest decimal digits that write every one of ``values`` exactly, if at most 6."""
    need = 0
    for value in values:
        for digits in range(need, _MAX_DECIMALS + 1):
            scale = 10**digits
            if abs(value) < 2**53 / scale and round(value * scale) / scale == value:
                need = digits
                break
        else:
            return None
    return need


def _undo_decimal(data: bytes, count: int) -> list[float]:
    scale = 10 ** data[0]
    deltas = _from_i64(_unshuffle(data[1 : 1 + 8 * count]))
    out: list[float] = []
    total = 0
    for delta in deltas:
        total += delta
        out.append(total / scale)
    return out


def _xor_column(raw: array[float]) -> bytes:
    bits = array("Q")
    bits.frombytes(raw.tobytes())
    xored = array("Q", [bits[0]])
    xored.extend(bits[i] ^ bits[i - 1] for i in range(1, len(bits)))
    return _le(xored)


def _undo_xor(data: bytes) -> list[float]:
    bits = array("Q")
    bits.frombytes(data)
    if sys.byteorder != "little":  # pragma: no cover (stored little-endian)
        bits.byteswap()
    for i in range(1, len(bits)):
        bits[i] ^= bits[i - 1]
    values = array("d")
    values.frombytes(bits.tobytes())
    return values.tolist()


def _i64(values: list[int]) -> bytes:
    return _le(array("q", values))


def _from_i64(data: bytes) -> list[int]:
    out = array("q")
    out.frombytes(data)
    if sys.byteorder != "little":  # pragma: no cover
        out.byteswap()
    return out.tolist()


def _le(column: array[int]) -> bytes:
    if sys.byteorder != "little":  # pragma: no cover
        column = array(column.typecode, column)
        column.byteswap()
    return column.tobytes()


def _shuffle(data: bytes) -> bytes:
    """Group byte k of every 8-byte word together, for k = 0..7."""
    return b"".join(data[k::8] for k in range(8))


def _unshuffle(data: bytes) -> bytes:
    count = len(data) // 8
    out = bytearray(len(data))
    for k in range(8):
        out[k::8] = data[k * count : (k + 1) * count]
    return bytes(out)
