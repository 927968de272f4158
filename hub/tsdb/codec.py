"""Lossless chunk encoding of one series' samples: timestamps and float64 values.

Layout (version 2): ``header + raw deflate(time column + value column)``, the header holding
the version, the value mode, the sample count and the first timestamp. Timestamps (ms) are
stored as delta-of-deltas: a steady 10 s interval becomes a run of zeros. Values use the
smaller of two encodings, each checked to round-trip bit for bit before it is chosen:

- ``D`` (decimal): values that are exact decimals with few digits (psutil's ``12.3`` percent,
  byte counts) are stored as scaled integers, delta-encoded;
- ``X`` (XOR): each value's IEEE-754 bits XOR the previous value's (Gorilla's idea), which
  keeps NaN payloads, ±Inf and -0.0 exactly.

Integer columns are zigzag-encoded little-endian 64-bit words (small negative numbers become
small positive ones, so a jittery clock does not fill the high bytes with 0xFF), byte-shuffled
(all first bytes, then all second bytes …) so that deflate sees long runs of equal high bytes.
The zigzag step treats a whole column as one big integer; the other steps are array, bytes,
itertools and operator calls, so almost nothing loops in Python per sample. Version 1 chunks
(plain two's complement words in a zlib stream) are still read.

The integer column helpers (``pack_ints``, ``unpack_ints``) and ``float_words`` /
``words_floats`` are shared with the rollup blobs (hub/tsdb/rollup.py).
"""

from __future__ import annotations

import functools
import math
import struct
import sys
import zlib
from array import array
from collections.abc import Callable, Iterable, Sequence
from itertools import accumulate, chain, compress, islice, repeat
from operator import add, gt, lt, mul, ne, sub, truediv, xor
from typing import Any, Literal

VERSION = 2
_V1 = 1
DECIMAL, XOR, FLOAT32 = b"D", b"X", b"F"
Rounding = Literal["nearest", "down", "up"]
"""How ``float_words`` may round a column to float32: to the nearest, or outward (a minimum
down, a maximum up, so the rounded bounds still hold every value they bound)."""
_MAX_DECIMALS = 6
_HEADER = struct.Struct("<BcIq")  # version, value mode, count, first timestamp
_LEVEL = 6


class CodecError(ValueError):
    """Bytes that are not a chunk this version can read."""


def encode(times_ms: Sequence[int], values: Sequence[float]) -> bytes:
    """One chunk for samples ordered by time (no duplicate timestamps).

    Raises:
        ValueError: the columns differ in length or are empty.
        OverflowError: timestamps too far apart for 64-bit deltas.
    """
    count = len(times_ms)
    if count != len(values) or count == 0:
        raise ValueError("a chunk needs as many values as timestamps, and at least one")
    value_column = pack_floats(values)
    payload = pack_deltas(times_ms, order=2) + value_column[1:]
    return _HEADER.pack(VERSION, value_column[:1], count, times_ms[0]) + deflate(payload)


def decode(chunk: bytes) -> tuple[list[int], list[float]]:
    """Timestamps (ms) and values of a chunk, exactly as encoded.

    Raises:
        CodecError: the bytes are not a valid chunk.
    """
    try:
        version, mode, count, first = _HEADER.unpack_from(chunk)
        if version == VERSION:
            body = inflate(chunk[_HEADER.size :])
        else:
            body = zlib.decompress(chunk[_HEADER.size :])
    except (struct.error, zlib.error) as exc:
        raise CodecError(f"not a tsdb chunk: {exc}") from None
    if version not in (_V1, VERSION) or mode not in (DECIMAL, XOR) or len(body) < 16 * count:
        raise CodecError("not a tsdb chunk: unknown version, mode or length")
    read_ints = unpack_ints if version == VERSION else _unpack_signed
    times = undo_delta_of_delta(first, read_ints(body, 0, count))
    values, _ = _unpack_value_column(mode, body, 8 * count, count, read_ints)
    return times, values


# ---------------------------------------------------------------------------- columns


def pack_ints(ints: Sequence[int]) -> bytes:
    """Signed integers as byte-shuffled 64-bit words with the sign folded.

    Raises:
        OverflowError: a value outside the signed 64-bit range.
    """
    if not ints:
        return b""
    words = _little_endian(array("q", ints))
    return _shuffle(_zigzag(int.from_bytes(words, "little"), len(ints)))


def pack_deltas(ints: Sequence[int], order: Literal[1, 2] = 1) -> bytes:
    """``pack_ints(deltas(ints))``, or with ``order`` 2 ``pack_ints(delta_of_delta(ints))``.

    Integers well inside the int64 range (most: timestamps, scaled decimals) take their
    differences word by word over the column as one big integer; others go one by one.

    Raises:
        OverflowError: a difference outside the signed 64-bit range.
    """
    count = len(ints)
    if not count or min(ints) < -_SMALL or max(ints) > _SMALL:
        return pack_ints(delta_of_delta(ints) if order == 2 else deltas(ints))
    everything = _masks(count)[2]
    column = int.from_bytes(_little_endian(array("q", ints)), "little")
    for step in range(order):
        if step:  # delta_of_delta: the first difference counts from the first time, 0
            column &= ~_WORD
        column = _minus_words(column, (column << 64) & everything, count)
    return _shuffle(_zigzag(column, count))


_SMALL = 2**60
"""Integers within ±this have differences, and differences of those, within int64."""


def _minus_words(left: int, right: int, count: int) -> int:
    """``left - right`` word by word, modulo 2**64 (no borrow crosses a word): each word of
    ``left`` with its top bit set minus each of ``right`` with it clear cannot borrow, and
    the top bits are put right afterwards (the SWAR subtraction)."""
    highest = _masks(count)[1]
    difference = (left | highest) - (right & ~highest)
    return difference ^ ((left ^ right ^ highest) & highest)


def unpack_ints(data: bytes, offset: int, count: int) -> list[int]:
    """``count`` integers that ``pack_ints`` wrote at ``offset``."""
    if not count:
        return []
    return _words("q", _unzigzag(_unshuffle(data[offset : offset + 8 * count]))).tolist()


def pack_floats(values: Sequence[float]) -> bytes:
    """A float column: a mode byte, then the decimal or the XOR encoding, whichever is exact
    and smaller."""
    raw = values if isinstance(values, array) else array("d", values)
    decimal = _decimal_column(raw)
    if decimal is not None:
        return DECIMAL + decimal
    return XOR + _shuffle(_xor_column(raw))


def float_words(
    values: Sequence[float], rounding: Rounding | None = None
) -> tuple[bytes, list[int]]:
    """A float column as int64 words (for ``pack_ints``) and the two bytes that say how:
    ``D`` and the digits, with the deltas of the scaled decimals (exact); with ``rounding``,
    else ``F`` and 0, each value as float32 (rounded as ``rounding`` says) with its bits XOR the
    previous value's; else ``X`` and 0, each value's float64 bits XOR the previous value's
    (exact). ``F`` is only used when every value fits float32's range."""
    # With rounding, -0.0 becomes 0.0, so one -0.0 does not cost a column its decimals.
    raw = array("d", values if rounding is None else map(add, values, repeat(0.0)))
    decimal = _decimal_ints(raw)
    if decimal is not None:
        digits, ints = decimal
        steps = deltas(ints)
        try:
            array("q", steps)  # every difference must fit an int64 word
        except OverflowError:
            pass
        else:
            return DECIMAL + bytes([digits]), steps
    if rounding is not None:
        single = _float32(raw, rounding)
        if single is not None:
            bits = array("I", single.tobytes())
            return FLOAT32 + b"\0", list(map(xor, bits, chain((0,), bits)))
    return XOR + b"\0", _words("q", _xor_column(raw)).tolist()


def words_floats(how: bytes, words: Sequence[int]) -> list[float]:
    """The values ``float_words`` turned into ``how`` and ``words``.

    Raises:
        CodecError: ``how`` is not a float column mode.
    """
    mode = how[:1]
    if mode == DECIMAL:
        scale = 10 ** how[1]
        return [i / scale for i in accumulate(words)]
    if mode == FLOAT32:
        try:
            single = array("f", array("I", accumulate(words, xor)).tobytes())
        except OverflowError:
            raise CodecError("not a float32 column") from None
        return single.tolist()
    if mode != XOR:
        raise CodecError("not a float column")
    bits = array("Q", array("q", words).tobytes())
    floats = array("d")
    floats.frombytes(array("Q", accumulate(bits, xor)).tobytes())
    return floats.tolist()


_POSITIVE_BELOW = 0x8000_0000
"""float32 bits below this have the sign bit clear."""


def _float32(raw: array[float], rounding: Rounding) -> array[float] | None:
    """``raw`` as float32 rounded as asked, or None if a value leaves float32's range."""
    single = array("f", raw)
    if not all(map(math.isfinite, single)):
        return None
    if rounding != "nearest":
        wrong = gt if rounding == "down" else lt  # rounded past the value: step back
        past = list(compress(range(len(raw)), map(wrong, array("d", single), raw)))
        if past:
            # One float32 step is one step of its bits' magnitude: away from zero is +1 on
            # the bits for either sign. Rounding up steps a positive value away from zero and
            # a negative one towards it; down the other way. (A value rounded past itself is
            # never a zero of the wrong sign: float32 keeps the sign of what it rounds.)
            bits = array("I", single.tobytes())
            away_if_positive = rounding == "up"
            for i in past:
                word = bits[i]
                bits[i] = word + 1 if (word < _POSITIVE_BELOW) == away_if_positive else word - 1
            single = array("f", bits.tobytes())
            if not all(map(math.isfinite, single)):  # stepped past float32's largest value
                return None
    return single


def deltas(ints: Sequence[int]) -> list[int]:
    """``[i0, i1-i0, i2-i1, …]``."""
    return list(map(sub, ints, chain((0,), ints)))


def undo_deltas(steps: Sequence[int]) -> list[int]:
    """The integers ``deltas`` came from."""
    return list(accumulate(steps))


def delta_of_delta(times: Sequence[int]) -> list[int]:
    """``[0, d1, d2-d1, …]`` where ``d_i = t_i - t_{i-1}``; the first time is kept apart."""
    return deltas([0, *map(sub, islice(times, 1, None), times)])


def undo_delta_of_delta(first: int, dods: Sequence[int]) -> list[int]:
    """The timestamps ``delta_of_delta`` came from, given the first one."""
    return list(accumulate(islice(accumulate(dods), 1, None), initial=first))


def deflate(data: bytes) -> bytes:
    """Raw deflate (no zlib header and checksum: 6 bytes less per blob).

    The window is the smallest that still reaches back over all of ``data``, so the bytes are
    the same as with the largest one; zlib clears its window and tables for every stream,
    and for a 40-byte hour rollup that clearing of 32 KB cost more than the compressing.
    Inflate reads a stream of any window size.
    """
    return zlib.compress(data, _LEVEL, wbits=-_window_bits(len(data)))


def _window_bits(size: int) -> int:
    """Raw deflate's window size (2**bits bytes, 9 to 15) for ``size`` bytes of input: deflate
    matches at most 262 bytes less than the window far back (zlib's ``MAX_DIST``)."""
    return min(max((size + _LOOKAHEAD).bit_length(), 9), 15)


_LOOKAHEAD = 262


def inflate(data: bytes) -> bytes:
    """The bytes ``deflate`` compressed.

    Raises:
        zlib.error: not a deflate stream.
    """
    return zlib.decompress(data, wbits=-15)


# ---------------------------------------------------------------------------- values


def _unpack_value_column(
    mode: bytes,
    data: bytes,
    offset: int,
    count: int,
    read_ints: Callable[[bytes, int, int], list[int]],
) -> tuple[list[float], int]:
    if mode == DECIMAL:
        scale = 10 ** data[offset]
        ints = undo_deltas(read_ints(data, offset + 1, count))
        return [i / scale for i in ints], offset + 1 + 8 * count
    bits = _words("Q", _unshuffle(data[offset : offset + 8 * count]))
    floats = array("d")
    floats.frombytes(array("Q", accumulate(bits, xor)).tobytes())
    return floats.tolist(), offset + 8 * count


def _decimal_column(raw: array[float]) -> bytes | None:
    """``scale digit + packed deltas`` if every value is an exact short decimal."""
    found = _decimal_ints(raw)
    if found is None:
        return None
    digits, ints = found
    try:
        return bytes([digits]) + pack_deltas(ints)
    except OverflowError:  # differences leave int64: use XOR
        return None


def _decimal_ints(raw: array[float]) -> tuple[int, list[int]] | None:
    """``(digits, values * 10**digits)`` if every value is an exact decimal with at most six
    digits after the point, else None."""
    # A few values tell how many digits the column needs at least; full-precision floats fail
    # here at once instead of after seven passes over the whole column.
    first = _decimal_digits(raw[:8])
    if first is None or not all(map(math.isfinite, raw)):
        return None
    original = raw.tobytes()
    digits: int | None = first
    try:
        while digits is not None and digits <= _MAX_DECIMALS:
            scale = 10**digits
            ints = list(map(round, map(mul, raw, repeat(scale))))
            back = array("d", map(truediv, ints, repeat(scale)))
            if back.tobytes() == original:  # bit for bit, so -0.0 and 0.1+0.2 stay exact
                return digits, ints
            # The values written wrongly tell how many digits they need, if any: a sum such
            # as 459.70000000000005 ends the search at once instead of after six more passes.
            missed = _decimal_digits(compress(raw, map(ne, _bits(back), _bits(raw))))
            digits = None if missed is None else max(missed, digits + 1)
    except OverflowError:  # scaled values leave the float range: use XOR
        return None
    return None


def _bits(column: array[float]) -> array[int]:
    return array("Q", column.tobytes())


_MOST_EXACT = 2**40 / 10**_MAX_DECIMALS
"""Below this a value that is a decimal with d <= 6 digits is one with 6: scaled by 10**6 it is
off the integer it stands for by far less than 0.5, so rounding finds that integer."""


def _decimal_digits(values: Iterable[float]) -> int | None:
    """The fewest decimal digits that write every one of ``values`` exactly, if at most 6
    (-0.0 never is: its scaled integer has no sign)."""
    need = 0
    most = 10**_MAX_DECIMALS
    for value in values:
        if not value and math.copysign(1.0, value) < 0:
            return None
        if abs(value) < _MOST_EXACT and round(value * most) / most != value:
            return None  # not even with all six digits, so with none fewer either
        for digits in range(need, _MAX_DECIMALS + 1):
            scale = 10**digits
            if abs(value) < 2**53 / scale and round(value * scale) / scale == value:
                need = digits
                break
        else:
            return None
    return need


def _xor_column(raw: array[float]) -> bytes:
    """Each value's bits XOR the previous value's (the first's XOR 0), for the whole column at
    once: the column as one big integer XOR itself shifted up by one word."""
    data = _little_endian(raw)
    column = int.from_bytes(data, "little")
    return ((column ^ (column << 64)) & _masks(len(data) // 8)[2]).to_bytes(len(data), "little")


# ---------------------------------------------------------------------------- words


def _unpack_signed(data: bytes, offset: int, count: int) -> list[int]:
    """Version 1 integer columns: two's complement words."""
    return _words("q", _unshuffle(data[offset : offset + 8 * count])).tolist()


def _zigzag(column: int, count: int) -> bytes:
    """Zigzag-encode ``count`` int64 words held as one little-endian big integer,
    ``(w << 1) ^ (w >> 63)`` for all of them at once: a mask keeps every word to itself."""
    lowest, _, everything = _masks(count)
    signs = (column >> 63) & lowest
    shifted = (column << 1) & everything & ~lowest
    return (shifted ^ (signs * _WORD)).to_bytes(8 * count, "little")


def _unzigzag(data: bytes) -> bytes:
    """The words ``_zigzag`` encoded: ``(z >> 1) ^ -(z & 1)`` for all of them at once."""
    column = int.from_bytes(data, "little")
    lowest, highest, _ = _masks(len(data) // 8)
    signs = column & lowest
    shifted = (column >> 1) & ~highest
    return (shifted ^ (signs * _WORD)).to_bytes(len(data), "little")


_WORD = (1 << 64) - 1


@functools.lru_cache(maxsize=32)
def _masks(count: int) -> tuple[int, int, int]:
    """The lowest bit of every word, the highest bit of every word, and all bits."""
    lowest = int.from_bytes((b"\x01" + bytes(7)) * count, "little")
    return lowest, lowest << 63, (1 << (64 * count)) - 1


def _words(typecode: str, data: bytes) -> array[int]:
    """Little-endian 64-bit integer words as an array."""
    out = array(typecode)
    out.frombytes(data)
    if sys.byteorder != "little":  # pragma: no cover (stored little-endian)
        out.byteswap()
    return out


def _little_endian(column: array[Any]) -> bytes:
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
