"""History as text and back: OpenMetrics and CSV lines for ``tcf-hub db export`` / ``import``.

OpenMetrics (https://github.com/prometheus/OpenMetrics/blob/main/specification/OpenMetrics.md):
one ``# TYPE name gauge`` per metric family, then ``name{labels} value timestamp`` per sample,
timestamps in seconds with millisecond precision, ending with ``# EOF``. CSV: the header
``time,name,labels,value``, labels as a JSON object, values in Python ``repr``. Both carry every
float bit for bit, -0.0 and ±Inf included; a NaN comes back as Python's one NaN (the text forms
have no way to spell a NaN payload).
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Protocol

import msgspec

from hub.domain.samples import METRICS, Sample
from hub.lib.clock import from_unix
from hub.lib.durations import parse_duration
from hub.store import Store
from hub.store.repos import SeriesRange
from hub.tsdb.db import TSDB
from hub.tsdb.selector import Selector

CSV_HEADER = "time,name,labels,value"
EVERYTHING = (datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC))
"""The default time range of an export: all of history."""

_METRIC = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
_LABEL_PAIR = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
_ESCAPED = re.compile(r"\\(.)")
_UNESCAPE = {"\\": "\\", '"': '"', "n": "\n"}
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_RELATIVE = re.compile(r"-(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w|y))+")
_MS_TIME = re.compile(r"(-?)(\d+)(?:\.(\d{0,3}))?")
_MAX_DIGITS = 12  # whole seconds: up to the year 33658, well inside an int64 of milliseconds
_SPECIAL = {"nan": math.nan, "+inf": math.inf, "inf": math.inf, "-inf": -math.inf}
_labels_json = msgspec.json.Decoder(dict[str, str])


class ExportError(ValueError):
    """A series that the chosen format cannot carry (say a label name OpenMetrics forbids)."""


class ParseError(ValueError):
    """A line of an import file that is not what export writes.

    Attributes:
        line: the 1-based line number.
        reason: what is wrong with it.
    """

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


# --- values, times and labels -------------------------------------------------------------


def format_value(value: float) -> str:
    """``NaN``, ``+Inf``, ``-Inf``, or the shortest text that reads back as the same float."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(value)


def parse_value(text: str) -> float:
    """A float from ``format_value`` or ``repr`` text (``NaN``/``nan``, ``+Inf``, ``-inf`` …).

    Raises:
        ValueError: not a number.
    """
    special = _SPECIAL.get(text.lower())
    if special is not None:
        return special
    if not _NUMBER.fullmatch(text):
        raise ValueError(f"{text!r} is not a number")
    return float(text)


def format_time(seconds: float) -> str:
    """Unix seconds with exactly three decimals (the store keeps milliseconds)."""
    ms = round(seconds * 1000)
    whole, frac = divmod(abs(ms), 1000)
    return f"{'-' if ms < 0 else ''}{whole}.{frac:03d}"


def parse_timestamp(text: str) -> float:
    """Unix seconds, rounded to the millisecond, as the store reads them back (``ms / 1000``).

    Raises:
        ValueError: not a timestamp.
    """
    exact = _MS_TIME.fullmatch(text)
    if exact and len(exact[2]) <= _MAX_DIGITS:
        sign, whole, frac = exact.groups()
        ms = int(whole) * 1000 + int((frac or "").ljust(3, "0"))
        return (-ms if sign else ms) / 1000
    if not _NUMBER.fullmatch(text):
        raise ValueError(f"{text!r} is not a timestamp in unix seconds")
    seconds = Decimal(text)  # exact, whatever the digits and exponent
    if abs(seconds) >= 10**_MAX_DIGITS:
        raise ValueError(f"timestamp {text!r} is out of range")
    return int((seconds * 1000).to_integral_value(ROUND_HALF_EVEN)) / 1000


def escape(text: str) -> str:
    """A label value (or HELP text) escaped for OpenMetrics: backslash, quote, newline."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def unescape(text: str) -> str:
    """The inverse of ``escape``.

    Raises:
        ValueError: an escape other than ``\\\\``, ``\\"`` or ``\\n``.
    """

    def one(found: re.Match[str]) -> str:
        char = _UNESCAPE.get(found[1])
        if char is None:
            raise ValueError(f"unknown escape '\\{found[1]}' (OpenMetrics allows \\\\, \\\", \\n)")
        return char

    return _ESCAPED.sub(one, text) if "\\" in text else text


def format_series(name: str, labels: dict[str, str]) -> str:
    """``name{a="1",b="2"}`` with labels sorted by name; just ``name`` without labels."""
    if not labels:
        return name
    pairs = ",".join(f'{k}="{escape(labels[k])}"' for k in sorted(labels))
    return f"{name}{{{pairs}}}"


def parse_series(text: str) -> tuple[str, dict[str, str], int]:
    """The metric name and labels at the start of ``text``, and where they end.

    Raises:
        ValueError: no metric name, a malformed label, a bad escape or a repeated label.
    """
    name = _METRIC.match(text)
    if not name:
        raise ValueError("expected a metric name")
    pos = name.end()
    labels: dict[str, str] = {}
    if pos < len(text) and text[pos] == "{":
        pos += 1
        while pos < len(text) and text[pos] != "}":
            pair = _LABEL_PAIR.match(text, pos)
            if not pair:
                raise ValueError(f'expected label="value" at column {pos + 1}')
            if pair[1] in labels:
                raise ValueError(f"label {pair[1]!r} appears twice")
            labels[pair[1]] = unescape(pair[2])
            pos = pair.end()
            if pos < len(text) and text[pos] == ",":
                pos += 1
            elif pos < len(text) and text[pos] != "}":
                raise ValueError(f"expected ',' or '}}' at column {pos + 1}")
        if pos >= len(text):
            raise ValueError("missing '}'")
        pos += 1
    return name.group(), labels, pos


# --- writing ------------------------------------------------------------------------------


class Writer(Protocol):
    """Turns series into the lines of one export file, in order: head, series…, tail."""

    def head(self) -> str:
        """What the file starts with."""
        ...

    def series(self, found: SeriesRange) -> Iterator[str]:
        """The lines of one series, each ending in a newline.

        Raises:
            ExportError: the format cannot carry this series.
        """
        ...

    def tail(self) -> str:
        """What the file ends with."""
        ...


class OpenMetricsWriter:
    """OpenMetrics text; series must come grouped by metric name (a family appears once)."""

    def __init__(self) -> None:
        self._families: set[str] = set()
        self._current: str | None = None

    def head(self) -> str:
        """Nothing: a family's ``# TYPE`` comes with its first series."""
        return ""

    def series(self, found: SeriesRange) -> Iterator[str]:
        """``# TYPE`` (and ``# HELP`` for known metrics) on a new family, then one line per
        sample."""
        self._check(found)
        if found.name != self._current:
            self._families.add(found.name)
            self._current = found.name
            yield f"# TYPE {found.name} gauge\n"
            if found.name in METRICS:
                yield f"# HELP {found.name} {escape(METRICS[found.name].description)}\n"
        prefix = format_series(found.name, found.labels)
        for time, value in zip(found.times, found.values, strict=True):
            yield f"{prefix} {format_value(value)} {format_time(time)}\n"

    def tail(self) -> str:
        """``# EOF``, which tells a reader that the file is complete."""
        return "# EOF\n"

    def _check(self, found: SeriesRange) -> None:
        if not _METRIC.fullmatch(found.name):
            raise ExportError(f"{found.name!r} is not an OpenMetrics metric name; use --format csv")
        for label in found.labels:
            if not _LABEL_NAME.fullmatch(label):
                raise ExportError(
                    f"label {label!r} of {found.name} is not an OpenMetrics label name; "
                    "use --format csv"
                )
        if found.name != self._current and found.name in self._families:
            raise ExportError(f"series of {found.name} must come together (sort by name)")


class CsvWriter:
    """``time,name,labels,value`` rows (RFC 4180 quoting), labels as a sorted JSON object."""

    def head(self) -> str:
        """The header row."""
        return CSV_HEADER + "\n"

    def series(self, found: SeriesRange) -> Iterator[str]:
        """One row per sample."""
        if "\n" in found.name or "\r" in found.name:
            raise ExportError(f"metric name {found.name!r} has a line break")
        # json escapes every control character, so a row never spans lines
        labels = json.dumps(found.labels, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        middle = f"{_csv_field(found.name)},{_csv_field(labels)}"
        for time, value in zip(found.times, found.values, strict=True):
            yield f"{format_time(time)},{middle},{value!r}\n"

    def tail(self) -> str:
        """Nothing."""
        return ""


def _csv_field(text: str) -> str:
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


WRITERS: dict[str, Callable[[], Writer]] = {
    "openmetrics": OpenMetricsWriter,
    "csv": CsvWriter,
}


# --- reading ------------------------------------------------------------------------------


class Reader(Protocol):
    """Turns the lines of one import file into samples, line by line."""

    def line(self, text: str) -> Sample | None:
        """The sample on a line (without its line break), or None for a line without one.

        Raises:
            ValueError: the line is not valid; the message says why.
        """
        ...

    def end(self) -> None:
        """Called after the last line.

        Raises:
            ValueError: the file is incomplete.
        """
        ...


class OpenMetricsReader:
    """Sample lines, ``#`` comments and blank lines, up to a final ``# EOF``."""

    def __init__(self) -> None:
        self._ended = False
        self._head = ""
        self._series: tuple[str, dict[str, str]] = ("", {})

    def line(self, text: str) -> Sample | None:
        """The sample on this line, or None for a comment, a blank line or ``# EOF``.

        Raises:
            ValueError: anything else.
        """
        if not text.strip():
            return None
        if self._ended:
            raise ValueError("content after '# EOF'")
        if text.startswith("#"):
            self._ended = text.rstrip() == "# EOF"
            return None
        # consecutive lines of a series share their name{labels}: parse that once
        head = self._head
        if head and text.startswith(head) and text[len(head) : len(head) + 1] == " ":
            pos = len(head)
        else:
            name, labels, pos = parse_series(text)
            self._head, self._series = text[:pos], (name, labels)
        if text[pos : pos + 1] != " ":
            raise ValueError(f"expected a space before the value at column {pos + 1}")
        fields = text[pos + 1 :].split(" ")
        if len(fields) == 1:
            raise ValueError(f"expected a timestamp after the value {fields[0]!r}")
        if len(fields) != 2:
            raise ValueError(
                f"expected 'value timestamp' with one space between, not {text[pos:]!r}"
            )
        return Sample(*self._series, parse_value(fields[0]), parse_timestamp(fields[1]))

    def end(self) -> None:
        """Raises ValueError when the file stopped before ``# EOF`` (a cut-short export)."""
        if not self._ended:
            raise ValueError("the file ends without '# EOF' (was the export cut short?)")


class CsvReader:
    """The header, then ``time,name,labels,value`` rows; ``#`` comments and blank lines."""

    def __init__(self) -> None:
        self._header = False

    def line(self, text: str) -> Sample | None:
        """The sample on this row, or None for the header, a comment or a blank line.

        Raises:
            ValueError: anything else.
        """
        if not text.strip() or text.startswith("#"):
            return None
        if not self._header:
            if text.strip() != CSV_HEADER:
                raise ValueError(f"expected the header {CSV_HEADER!r}")
            self._header = True
            return None
        try:
            row = next(csv.reader([text], strict=True))
        except csv.Error as exc:
            raise ValueError(f"not a CSV row: {exc}") from None
        if len(row) != 4:
            raise ValueError(f"expected 4 fields (time,name,labels,value), got {len(row)}")
        time, name, labels, value = row
        if not name:
            raise ValueError("empty metric name")
        try:
            parsed = _labels_json.decode(labels)
        except msgspec.DecodeError as exc:
            raise ValueError(f"labels are not a JSON object of strings: {exc}") from None
        return Sample(name, parsed, parse_value(value), parse_timestamp(time))

    def end(self) -> None:
        """Raises ValueError when there was not even a header."""
        if not self._header:
            raise ValueError(f"no header {CSV_HEADER!r}")


READERS: dict[str, Callable[[], Reader]] = {
    "openmetrics": OpenMetricsReader,
    "csv": CsvReader,
}


def detect_format(first_line: str) -> str:
    """``csv`` when the line is the CSV header, else ``openmetrics``."""
    return "csv" if first_line.strip() == CSV_HEADER else "openmetrics"


def read_samples(lines: Iterable[bytes], kind: str = "auto") -> Iterator[Sample]:
    """The samples in the lines of an export file (each line ending in ``\\n``, as iterating a
    binary file gives them); ``kind`` ``auto`` looks at the first line.

    Raises:
        ParseError: a line is not valid; nothing after it is read.
    """
    reader: Reader | None = None
    number = 0
    for number, raw in enumerate(lines, 1):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ParseError(number, f"not UTF-8 text ({exc.reason})") from None
        text = text.removesuffix("\n").removesuffix("\r")
        if reader is None:
            text = text.removeprefix("\ufeff")
            reader = READERS[detect_format(text) if kind == "auto" else kind]()
        try:
            sample = reader.line(text)
        except ValueError as exc:
            raise ParseError(number, str(exc)) from None
        if sample is not None:
            yield sample
    if reader is None:
        raise ParseError(1, "the file is empty")
    try:
        reader.end()
    except ValueError as exc:
        raise ParseError(number, str(exc)) from None


# --- time range and series ----------------------------------------------------------------


def parse_time(text: str, now: datetime) -> datetime:
    """``--from``/``--to``: unix seconds, ISO 8601 (UTC unless it has an offset), ``now`` or
    a time relative to ``now`` like ``-7d`` or ``-90m``.

    Raises:
        ValueError: none of those.
    """
    text = text.strip()
    if text == "now":
        return now
    try:
        if _NUMBER.fullmatch(text):
            return from_unix(float(text))
        if text.startswith("-") and _RELATIVE.fullmatch(text):
            return now - timedelta(seconds=parse_duration(text[1:]))
        when = datetime.fromisoformat(text)
    except (ValueError, OverflowError, OSError):
        raise ValueError(
            f"{text!r} is not a time: use unix seconds, ISO 8601 or a relative time like -7d"
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


class SeriesRef(msgspec.Struct, frozen=True):
    """One stored series: its id, name and labels."""

    id: int
    name: str
    labels: dict[str, str]


async def list_series(store: Store, selectors: Sequence[Selector]) -> list[SeriesRef]:
    """Every series that one of ``selectors`` selects (all series when there are none),
    sorted by name and labels so that each metric's series come together."""
    async with store.tx() as tx:
        found = await tx.samples.series(None)
    return sorted(
        (
            SeriesRef(sid, name, labels)
            for sid, name, labels in found
            if _selected(selectors, name, labels)
        ),
        key=lambda s: (s.name, sorted(s.labels.items())),
    )


def _selected(selectors: Sequence[Selector], name: str, labels: dict[str, str]) -> bool:
    return not selectors or any(s.matches(name, labels) for s in selectors)


async def read_series(
    tsdb: TSDB, ref: SeriesRef, start: datetime, end: datetime
) -> SeriesRange | None:
    """The samples of exactly one series in ``[start, end]``, None when it has none there."""
    found = await tsdb.read([(ref.id, ref.name, ref.labels)], start, end)
    return found[0] if found else None
