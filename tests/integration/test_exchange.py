"""``tcf-hub db export`` / ``db import`` on real SQLite files: history round-trips bit for bit."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import math
import os
import pty
import select
import struct
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from prometheus_client.openmetrics.parser import text_string_to_metric_families

from hub.cli import cli
from hub.cli.db import BATCH
from hub.domain.samples import Sample
from hub.store import open_store, upgrade
from hub.tsdb import TSDB, SeriesRange
from hub.tsdb.exchange import (
    EVERYTHING,
    CsvWriter,
    ExportError,
    OpenMetricsWriter,
    ParseError,
    escape,
    format_series,
    format_time,
    format_value,
    parse_series,
    parse_time,
    parse_timestamp,
    parse_value,
    read_samples,
    unescape,
)
from hub.tsdb.selector import Selector

T0 = datetime(2026, 11, 26, tzinfo=UTC)  # aligned to a 2 h compaction block
TRICKY = {
    "host": 'say "hi" \\ C:\\new\\n\nnext line',
    "note": 'ünï } , = {x="y"} \t tab',
}
VALUES = [
    1.0,
    math.nan,
    math.inf,
    -math.inf,
    -0.0,
    0.0,
    0.1,
    1 / 3,
    5e-324,
    1.7976931348623157e308,
    -1e-300,
    2.0**53 + 2,
    12.3,
]
STEADY = 5 * 3600 // 10  # samples per steady series: 5 hours at 10 s


def bits(value: float) -> bytes:
    return struct.pack(">d", value)


def url(data_dir: Path) -> str:
    return f"sqlite+aiosqlite:///{data_dir / 'hub.db'}"


def history() -> list[list[Sample]]:
    """Batches written in this order, so that the store holds metric families interleaved."""
    t0 = T0.timestamp()
    steady = [
        [
            Sample("disk_usage", {"host": "h", "mount": "/"}, 50.0 + i % 7, t0 + 10 * i),
            Sample("cpu_usage", {"host": "h"}, round(40 + 10 * math.sin(i / 60), 3), t0 + 10 * i),
            Sample("disk_usage", {"host": "h", "mount": "/data"}, i / 7, t0 + 10 * i),
        ]
        for i in range(STEADY)
    ]
    tricky = [Sample("cpu_usage", TRICKY, v, t0 + 1.001 * i) for i, v in enumerate(VALUES)]
    empty = [  # a label with an empty value and no label at all are different series here
        Sample("zz_metric", {}, 1.0, t0 + 0.5),
        Sample("zz_metric", {"a": ""}, 2.0, t0 + 0.5),
    ]
    return [*steady, tricky, empty]


def seed(data_dir: Path, batches: list[list[Sample]], compact: datetime | None = None) -> None:
    """A migrated store holding ``batches``, compacted as of ``compact``."""
    data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(url(data_dir))
    asyncio.run(write(data_dir, batches, compact))


async def write(data_dir: Path, batches: list[list[Sample]], compact: datetime | None) -> None:
    store = open_store(url(data_dir))
    tsdb = TSDB(store)
    for batch in batches:
        await tsdb.write(batch)
    if compact is not None:
        await tsdb.compact(compact)
    await store.close()


async def read_all(data_dir: Path) -> dict[tuple[str, tuple[tuple[str, str], ...]], list]:
    """Every stored sample per series, values as their IEEE-754 bits."""
    store = open_store(url(data_dir))
    try:
        found = await TSDB(store).select(Selector(()), *EVERYTHING)
    finally:
        await store.close()
    return {
        (r.name, tuple(sorted(r.labels.items()))): [
            (t, bits(v)) for t, v in zip(r.times, r.values, strict=True)
        ]
        for r in found
    }


def dump(data_dir: Path):
    return asyncio.run(read_all(data_dir))


@pytest.fixture
def source(tmp_path) -> Path:
    """A store with the history above, the first 4 hours compacted into chunks."""
    data_dir = tmp_path / "source"
    seed(data_dir, history(), T0 + timedelta(hours=5))
    return data_dir


def run(tmp_path: Path, *args: str, data_dir: Path):
    config = tmp_path / "config"
    config.mkdir(exist_ok=True)
    return CliRunner().invoke(
        cli, [*args, "--data-dir", str(data_dir), "--config", str(config)], catch_exceptions=False
    )


@pytest.mark.parametrize("kind", ["openmetrics", "csv"])
def test_export_then_import_gives_back_every_sample_bit_for_bit(tmp_path, source, kind):
    out = tmp_path / f"history.{kind}"
    exported = run(
        tmp_path, "db", "export", "--format", kind, "--output", str(out), data_dir=source
    )
    assert exported.exit_code == 0, exported.output
    total = 3 * STEADY + len(VALUES) + 2
    assert f"exported {total:,} samples of 6 series" in exported.stderr

    copy = tmp_path / "copy"
    imported = run(tmp_path, "db", "import", str(out), data_dir=copy)
    assert imported.exit_code == 0, imported.output
    assert imported.stdout == f"imported {total:,} samples of 6 series from {out}\n"
    assert total > BATCH  # more than one transaction

    before, after = dump(source), dump(copy)
    assert after == before
    tricky = after[("cpu_usage", tuple(sorted(TRICKY.items())))]
    assert [v for _, v in tricky] == [bits(v) for v in VALUES]
    assert [t for t, _ in tricky] == [round(T0.timestamp() + 1.001 * i, 3) for i in range(13)]
    assert after[("zz_metric", (("a", ""),))] == [(T0.timestamp() + 0.5, bits(2.0))]
    assert after[("zz_metric", ())] == [(T0.timestamp() + 0.5, bits(1.0))]


def test_openmetrics_export_reads_in_a_standard_parser(tmp_path, source):
    result = run(tmp_path, "db", "export", data_dir=source)  # default: OpenMetrics to stdout
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.endswith("\n# EOF\n")
    # prometheus_client rejects a family that appears twice, bad escapes and a missing # EOF
    families = {f.name: f for f in text_string_to_metric_families(text)}
    assert list(families) == ["cpu_usage", "disk_usage", "zz_metric"]
    assert {f.type for f in families.values()} == {"gauge"}
    assert families["cpu_usage"].documentation == "CPU busy time"
    tricky = [s for s in families["cpu_usage"].samples if s.labels == TRICKY]
    assert [bits(s.value) for s in tricky if not math.isnan(s.value)] == [
        bits(v) for v in VALUES if not math.isnan(v)
    ]
    assert sum(math.isnan(s.value) for s in tricky) == 1
    assert [f"{s.timestamp.sec}.{s.timestamp.nsec // 1_000_000:03d}" for s in tricky[:3]] == [
        f"{T0.timestamp() + d:.3f}" for d in (0, 1.001, 2.002)
    ]
    assert text.count("# TYPE cpu_usage gauge\n") == 1
    assert 'cpu_usage{host="h"} ' in text
    assert 'zz_metric{a=""} 2.0 ' in text
    assert "\nzz_metric 1.0 " in text


def test_csv_export_has_a_header_json_labels_and_repr_values(tmp_path, source):
    result = run(tmp_path, "db", "export", "--format", "csv", data_dir=source)
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["time", "name", "labels", "value"]
    tricky = [r for r in rows[1:] if r[1] == "cpu_usage" and json.loads(r[2]) == TRICKY]
    assert [r[3] for r in tricky] == [repr(v) for v in VALUES]
    assert tricky[1][0] == f"{T0.timestamp() + 1.001:.3f}"
    assert len(rows) == 1 + 3 * STEADY + len(VALUES) + 2


def test_match_and_time_range_choose_what_is_exported(tmp_path, source):
    start, end = T0 + timedelta(hours=1), T0 + timedelta(hours=2)
    result = run(
        tmp_path,
        "db",
        "export",
        "--format",
        "csv",
        "--match",
        'cpu_usage{host="h"}',
        "--match",
        'disk_usage{mount="/data"}',
        "--from",
        start.isoformat(),
        "--to",
        str(int(end.timestamp())),
        data_dir=source,
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    series = {(r["name"], r["labels"]) for r in rows}
    assert series == {("cpu_usage", '{"host":"h"}'), ("disk_usage", '{"host":"h","mount":"/data"}')}
    times = sorted({float(r["time"]) for r in rows})
    assert (times[0], times[-1]) == (start.timestamp(), end.timestamp())  # both ends included
    assert len(rows) == 2 * 361
    assert "exported 722 samples of 2 series" in result.stderr


def test_a_relative_from_counts_back_from_now(tmp_path):
    data_dir = tmp_path / "store"
    now = datetime.now(UTC).timestamp()
    seed(
        data_dir,
        [[Sample("cpu_usage", {}, 1.0, now - 7200), Sample("cpu_usage", {}, 2.0, now - 600)]],
    )
    result = run(tmp_path, "db", "export", "--format", "csv", "--from", "-1h", data_dir=data_dir)
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["value"] for r in rows] == ["2.0"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--match", "cpu_usage{host=a}"), 'Invalid value for --match: expected a "quoted" value'),
        (("--from", "yesterday"), "'yesterday' is not a time"),
        (("--from", "2026-12-01", "--to", "2026-11-01"), "--from is after --to"),
    ],
)
def test_bad_export_options_are_usage_errors(tmp_path, args, message):
    result = run(tmp_path, "db", "export", *args, data_dir=tmp_path)
    assert result.exit_code == 2
    assert message in result.output


def test_export_without_a_store_exits_1(tmp_path):
    result = run(tmp_path, "db", "export", data_dir=tmp_path / "nothing")
    assert result.exit_code == 1
    assert "no store at" in result.output


def test_a_bad_line_stops_the_import_naming_file_line_and_what_was_imported(tmp_path, source):
    out = tmp_path / "history.om"
    run(tmp_path, "db", "export", "--output", str(out), data_dir=source)
    lines = out.read_text().split("\n")
    bad = BATCH + 200  # after the first batch is committed
    assert not lines[bad - 1].startswith("#")
    lines[bad - 1] = lines[bad - 1].rsplit(" ", 2)[0] + " twelve 1764115200.000"
    out.write_text("\n".join(lines))

    copy = tmp_path / "copy"
    result = run(tmp_path, "db", "import", str(out), data_dir=copy)
    assert result.exit_code == 1
    assert result.stderr == (
        f"tcf-hub: {out}:{bad}: 'twelve' is not a number; "
        f"{BATCH:,} samples were imported before it\n"
    )
    assert sum(len(s) for s in dump(copy).values()) == BATCH


@pytest.mark.parametrize(
    ("text", "args", "where"),
    [
        (
            'time,name,labels,value\n1.000,m,{},1.0\n2.000,m,"{""a"": 1}",2.0\n',
            (),
            "3: labels are not a JSON object of strings",
        ),
        ("time,name,labels,value\n1.000,m,{}\n", (), "2: expected 4 fields"),
        ("# TYPE m gauge\nm 1.0 1.000\n", (), "2: the file ends without '# EOF'"),
        ('# TYPE m gauge\nm{a="\\t"} 1.0 1.000\n# EOF\n', (), "2: unknown escape '\\t'"),
        ("# TYPE m gauge\nm 1.0\n# EOF\n", (), "2: expected a timestamp after the value"),
        ("# TYPE m gauge\n# EOF\nm 1.0 1.000\n", (), "3: content after '# EOF'"),
        ("# TYPE m gauge\nm 1.0 1.000\n# EOF\n", ("--format", "csv"), "2: expected the header"),
        ("", (), "1: the file is empty"),
    ],
)
def test_malformed_files_exit_1_with_file_and_line(tmp_path, text, args, where):
    path = tmp_path / "bad.txt"
    path.write_text(text)
    result = run(tmp_path, "db", "import", str(path), *args, data_dir=tmp_path / "store")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"tcf-hub: {path}:{where}")
    assert result.stderr.endswith("; 0 samples were imported before it\n")


def test_import_skips_comments_and_blank_lines_and_keeps_stored_samples(tmp_path):
    path = tmp_path / "in.om"
    path.write_text(
        "# HELP m made by hand\n\n# TYPE m gauge\n"
        'm{b="2",a="1"} 7 1764115200\nm{a="1",b="2"} -Inf 1764115201.5\n# EOF\n\n'
    )
    store = tmp_path / "store"
    first = run(tmp_path, "db", "import", str(path), data_dir=store)
    assert first.stdout == f"imported 2 samples of 1 series from {path}\n"
    path.write_text('# TYPE m gauge\nm{a="1",b="2"} 8 1764115200\nm{a="1"} 9 1764115200\n# EOF\n')
    again = run(tmp_path, "db", "import", str(path), data_dir=store)
    assert again.exit_code == 0
    assert dump(store) == {
        ("m", (("a", "1"), ("b", "2"))): [
            (1764115200.0, bits(7.0)),
            (1764115201.5, bits(-math.inf)),
        ],
        ("m", (("a", "1"),)): [(1764115200.0, bits(9.0))],
    }


def test_export_to_an_unwritable_place_exits_1(tmp_path, source):
    out = tmp_path / "missing" / "history.om"
    result = run(tmp_path, "db", "export", "--output", str(out), data_dir=source)
    assert result.exit_code == 1
    assert result.stderr == f"tcf-hub: cannot write {out}: No such file or directory\n"


def test_the_progress_bar_goes_to_stderr_only_when_it_is_a_terminal(tmp_path, source):
    out = tmp_path / "history.om"
    plain = run(tmp_path, "db", "export", "--output", str(out), data_dir=source)
    assert plain.stderr == f"tcf-hub: exported {3 * STEADY + 15:,} samples of 6 series to {out}\n"

    controller, terminal = pty.openpty()
    config = tmp_path / "config"
    command = [sys.executable, "-c", "from hub.cli import main; main()", "db", "export"]
    piped = tmp_path / "piped.om"
    with (
        piped.open("wb") as stdout,
        subprocess.Popen(
            [*command, "--data-dir", str(source), "--config", str(config)],
            stdout=stdout,
            stderr=terminal,
            env={**os.environ, "COLUMNS": "100"},
        ) as proc,
    ):
        os.close(terminal)
        drawn = b""
        while True:  # read as it comes, so the child never blocks on a full terminal
            ready, _, _ = select.select([controller], [], [], 30)
            assert ready, "the export hung"
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            drawn += chunk
    os.close(controller)
    assert proc.returncode == 0
    assert b"series" in drawn
    assert b"6/6" in drawn
    assert piped.read_bytes() == out.read_bytes()  # the bar never leaks into the export


# --- the text forms, one function at a time ------------------------------------------------


@pytest.mark.parametrize(
    ("writer", "series", "reason"),
    [
        (OpenMetricsWriter, [("cpu.usage", {})], "'cpu.usage' is not an OpenMetrics metric name"),
        (OpenMetricsWriter, [("m", {"a-b": "1"})], "label 'a-b' of m is not an OpenMetrics label"),
        (OpenMetricsWriter, [("a", {}), ("b", {}), ("a", {"x": "1"})], "series of a must come"),
        (CsvWriter, [("m\nn", {})], r"metric name 'm\\nn' has a line break"),
    ],
)
def test_series_a_format_cannot_carry_are_refused(writer, series, reason):
    out = writer()
    *fine, refused = [SeriesRange(name, labels, [1.0], [1.0]) for name, labels in series]
    for found in fine:
        list(out.series(found))
    with pytest.raises(ExportError, match=reason):
        list(out.series(refused))


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ('a"b', 'a\\"b'),
        ("a\\b", "a\\\\b"),
        ("a\nb", "a\\nb"),
        ("\\n", "\\\\n"),  # a backslash then n stays two characters
        ('\\"', '\\\\\\"'),
        ("tab\there } , =", "tab\there } , ="),
        ("", ""),
    ],
)
def test_label_values_are_escaped_as_openmetrics_says(raw, escaped):
    assert escape(raw) == escaped
    assert unescape(escaped) == raw


def test_series_text_round_trips_with_labels_sorted():
    text = format_series("cpu_usage", {"z": "1", "a": TRICKY["host"], "m": TRICKY["note"]})
    assert text.startswith('cpu_usage{a="say \\"hi\\" \\\\ C:\\\\new\\\\n\\nnext line",m=')
    assert "\n" not in text
    assert parse_series(text + " 1 2") == (
        "cpu_usage",
        {"a": TRICKY["host"], "m": TRICKY["note"], "z": "1"},
        len(text),
    )
    assert format_series("up", {}) == "up"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('m{a="x\\q"} 1 1', "unknown escape '\\q'"),
        ('m{a="x} 1 1', 'expected label="value" at column 3'),
        ('m{a="1",a="2"} 1 1', "label 'a' appears twice"),
        ('m{a="1" b="2"} 1 1', "expected ',' or '}' at column 8"),
        ("9m 1 1", "expected a metric name"),
        ("m 1 1 1", "expected 'value timestamp' with one space between, not ' 1 1 1'"),
        ("m  1 1", "expected 'value timestamp' with one space between"),
        ("m 1", "expected a timestamp after the value '1'"),
        ("m x 1", "'x' is not a number"),
        ("m 1_000 1", "'1_000' is not a number"),
        ("m 1 soon", "'soon' is not a timestamp"),
        ("m 1 1e99", "out of range"),
    ],
)
def test_malformed_sample_lines_name_their_line(text, reason):
    lines = [b"# TYPE m gauge\n", b"m 1 1\n", text.encode() + b"\n", b"# EOF\n"]
    with pytest.raises(ParseError) as caught:
        list(read_samples(lines))
    assert caught.value.line == 3
    assert reason in caught.value.reason


def test_invalid_utf8_is_a_parse_error():
    with pytest.raises(ParseError, match=r"line 2: not UTF-8"):
        list(read_samples([b"# TYPE m gauge\n", b'm{a="\xff"} 1 1\n', b"# EOF\n"]))


@pytest.mark.parametrize(
    ("value", "text"),
    [(math.nan, "NaN"), (math.inf, "+Inf"), (-math.inf, "-Inf"), (-0.0, "-0.0"), (0.1, "0.1")],
)
def test_special_values_are_spelled_as_openmetrics_says(value, text):
    assert format_value(value) == text
    assert bits(parse_value(text)) == bits(value)
    assert bits(parse_value(repr(value))) == bits(value)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("1764115200.001", 1764115200.001),
        ("1764115200", 1764115200.0),
        ("1764115200.5", 1764115200.5),
        ("1.7641152e9", 1764115200.0),
        ("1764115200.0006", 1764115200.001),  # the store keeps milliseconds
        ("-1.5", -1.5),
    ],
)
def test_timestamps_read_to_the_millisecond(text, seconds):
    assert parse_timestamp(text) == seconds


def test_times_are_written_with_three_decimals():
    assert format_time(1764115200.001) == "1764115200.001"
    assert format_time(1764115200) == "1764115200.000"
    assert format_time(-1.5) == "-1.500"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1764115200", datetime(2025, 11, 26, tzinfo=UTC)),
        ("2026-11-26T12:00:00+01:00", datetime(2026, 11, 26, 11, tzinfo=UTC)),
        ("2026-11-26", datetime(2026, 11, 26, tzinfo=UTC)),  # no offset: UTC
        ("-7d", datetime(2026, 11, 19, 12, tzinfo=UTC)),
        ("-1h30m", datetime(2026, 11, 26, 10, 30, tzinfo=UTC)),
        ("now", datetime(2026, 11, 26, 12, tzinfo=UTC)),
    ],
)
def test_from_and_to_accept_unix_iso_and_relative_times(text, expected):
    assert parse_time(text, datetime(2026, 11, 26, 12, tzinfo=UTC)) == expected


@pytest.mark.parametrize("text", ["yesterday", "-7x", "7d", "1e400", ""])
def test_other_times_are_refused(text):
    with pytest.raises(ValueError, match="is not a time"):
        parse_time(text, datetime(2026, 11, 26, 12, tzinfo=UTC))
