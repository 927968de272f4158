"""``tcf-hub db``: look after the store without a running hub."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, Any, TypeVar

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from hub.cli.options import config_dir_option, data_dir_option
from hub.domain.samples import Sample
from hub.lib.clock import SystemClock
from hub.lib.yamlconf import ConfigError
from hub.settings import Settings, load_settings
from hub.store import open_store, upgrade
from hub.store.backup import BackupError, backup, restore
from hub.store.chunks import StorageStats
from hub.store.migrate import DATABASE_URL_ENV, current_revision
from hub.tsdb import TSDB
from hub.tsdb.exchange import (
    EVERYTHING,
    READERS,
    WRITERS,
    ExportError,
    ParseError,
    Writer,
    list_series,
    parse_time,
    read_samples,
    read_series,
)
from hub.tsdb.selector import Selector, SelectorError, parse_selector

BATCH = 5000
"""Samples per transaction on import."""

_F = TypeVar("_F", bound=Callable[..., Any])


def _store_options(command: _F) -> _F:
    """``--config`` and ``--data-dir``: where the store is."""
    return config_dir_option(data_dir_option(command))


def _settings(config_dir: Path | None, data_dir: Path | None) -> Settings:
    try:
        return load_settings(config_dir, data_dir)
    except ConfigError as exc:
        click.echo(f"tcf-hub: invalid configuration: {exc}", err=True)
        sys.exit(2)


@click.group()
def db() -> None:
    """The store: statistics and maintenance."""


@db.command("upgrade")
@click.option(
    "--url",
    envvar=DATABASE_URL_ENV,
    help="SQLAlchemy URL of the store (default: the configured one).",
)
@_store_options
def db_upgrade(url: str | None, config_dir: Path | None, data_dir: Path | None) -> None:
    """Apply the store's migrations (the hub does this itself at start)."""
    if url:
        target = url
    else:
        settings = _settings(config_dir, data_dir)
        target = settings.database_url
        if settings.monitoring.database.url is None:  # a first upgrade creates the store
            settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    before = current_revision(target)
    upgrade(target)
    after = current_revision(target)
    click.echo(
        f"store at revision {after}" + (f" (was {before or 'empty'})" if before != after else "")
    )


@db.command("stats")
@_store_options
def db_stats(config_dir: Path | None, data_dir: Path | None) -> None:
    """Series, samples, bytes per sample and file size."""
    settings = _settings(config_dir, data_dir)
    if settings.monitoring.database.url is None and not (settings.data_dir / "hub.db").exists():
        click.echo(f"tcf-hub: no store at {settings.data_dir / 'hub.db'} yet", err=True)
        sys.exit(1)
    stats = asyncio.run(_stats(settings.database_url))
    table = Table("what", "value", title=f"store {settings.data_dir}")
    for label, value in describe(stats):
        table.add_row(label, value)
    Console().print(table)


async def _stats(url: str) -> StorageStats:
    await asyncio.to_thread(upgrade, url)
    store = open_store(url)
    try:
        return await store.stats()
    finally:
        await store.close()


def describe(stats: StorageStats) -> list[tuple[str, str]]:
    """Rows for people: counts, and bytes per sample where there are samples."""
    samples = stats.head_samples + stats.chunk_samples
    rows = [
        ("series", f"{stats.series:,}"),
        ("samples", f"{samples:,}"),
        ("  raw (head, not yet compressed)", f"{stats.head_samples:,}"),
        ("  compressed", f"{stats.chunk_samples:,} in {stats.chunks:,} chunks"),
    ]
    if stats.chunk_samples:
        rows.append(
            ("  compressed bytes per sample", f"{stats.chunk_bytes / stats.chunk_samples:.2f}")
        )
    if stats.file_bytes is not None:
        rows.append(("file size", f"{stats.file_bytes / 1e6:.2f} MB"))
        if samples:
            rows.append(("file bytes per sample", f"{stats.file_bytes / samples:.1f}"))
    return rows


def _progress(*columns: Any) -> Progress:
    """A bar on stderr, drawn only when stderr is a terminal (not in logs, even with
    FORCE_COLOR); stdout is left alone, as it may be the export itself."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        *columns,
        TimeRemainingColumn(),
        console=Console(stderr=True),
        disable=not sys.stderr.isatty(),
        redirect_stdout=False,
        redirect_stderr=False,
    )


@db.command("export")
@click.option(
    "--match",
    "matches",
    multiple=True,
    metavar="SELECTOR",
    help='Series to export, like cpu_usage{host="a"}; repeatable (default: every series).',
)
@click.option("--from", "since", metavar="T", help="Start: unix seconds, ISO 8601 or -7d.")
@click.option("--to", "until", metavar="T", help="End (inclusive), same forms as --from.")
@click.option(
    "--format", "kind", type=click.Choice(list(WRITERS)), default="openmetrics", show_default=True
)
@click.option("--output", "-o", default="-", metavar="FILE", help="Where to write; - is stdout.")
@_store_options
def db_export(
    matches: tuple[str, ...],
    since: str | None,
    until: str | None,
    kind: str,
    output: str,
    config_dir: Path | None,
    data_dir: Path | None,
) -> None:
    """Write stored history as OpenMetrics text or CSV."""
    try:
        selectors = [parse_selector(m) for m in matches]
    except SelectorError as exc:
        raise click.BadParameter(str(exc), param_hint="--match") from None
    now = SystemClock().now()
    start = _time(since, now, "--from", EVERYTHING[0])
    end = _time(until, now, "--to", EVERYTHING[1])
    if start > end:
        raise click.BadParameter("--from is after --to", param_hint="--from")
    settings = _settings(config_dir, data_dir)
    if settings.monitoring.database.url is None and not (settings.data_dir / "hub.db").exists():
        click.echo(f"tcf-hub: no store at {settings.data_dir / 'hub.db'} yet", err=True)
        sys.exit(1)
    where = "stdout" if output == "-" else output
    try:
        # atomic: a file appears only once the export is complete
        with click.open_file(output, "wb", atomic=output != "-") as out:
            samples, series = asyncio.run(
                _export(settings.database_url, selectors, start, end, WRITERS[kind](), out)
            )
    except ExportError as exc:
        click.echo(f"tcf-hub: cannot export: {exc}", err=True)
        sys.exit(1)
    except OSError as exc:
        click.echo(f"tcf-hub: cannot write {where}: {exc.strerror or exc}", err=True)
        sys.exit(1)
    click.echo(f"tcf-hub: exported {samples:,} samples of {series:,} series to {where}", err=True)


def _time(text: str | None, now: datetime, option: str, default: datetime) -> datetime:
    if text is None:
        return default
    try:
        return parse_time(text, now)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=option) from None


async def _export(
    url: str,
    selectors: list[Selector],
    start: datetime,
    end: datetime,
    writer: Writer,
    out: IO[bytes],
) -> tuple[int, int]:
    """Read one series at a time and stream it out; returns (samples, series) written."""
    await asyncio.to_thread(upgrade, url)
    store = open_store(url)
    samples = series = 0
    try:
        tsdb = TSDB(store)
        refs = await list_series(store, selectors)
        with _progress(MofNCompleteColumn()) as progress:
            task = progress.add_task("series", total=len(refs))
            out.write(writer.head().encode())
            for ref in refs:
                found = await read_series(tsdb, ref, start, end)
                if found is not None:
                    out.writelines(line.encode() for line in writer.series(found))
                    samples += len(found.times)
                    series += 1
                progress.advance(task)
            out.write(writer.tail().encode())
    finally:
        await store.close()
    return samples, series


@db.command("import")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option(
    "--format",
    "kind",
    type=click.Choice(["auto", *READERS]),
    default="auto",
    show_default=True,
    help="auto reads the first line: the CSV header means csv, else openmetrics.",
)
@_store_options
def db_import(file: Path, kind: str, config_dir: Path | None, data_dir: Path | None) -> None:
    """Store the samples of a file written by db export."""
    settings = _settings(config_dir, data_dir)
    if settings.monitoring.database.url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    with file.open("rb") as source:
        try:
            size = file.stat().st_size
            samples, series = asyncio.run(_import(settings.database_url, source, size, kind))
        except _ImportError as exc:
            click.echo(
                f"tcf-hub: {file}:{exc.error.line}: {exc.error.reason}; "
                f"{exc.imported:,} samples were imported before it",
                err=True,
            )
            sys.exit(1)
    click.echo(f"imported {samples:,} samples of {series:,} series from {file}")


class _ImportError(Exception):
    def __init__(self, error: ParseError, imported: int) -> None:
        super().__init__(str(error))
        self.error = error
        self.imported = imported


async def _import(url: str, source: IO[bytes], size: int, kind: str) -> tuple[int, int]:
    """Write the file's samples in batches; returns (samples, series) imported.

    Raises:
        _ImportError: a bad line, with the count of samples committed before it.
    """
    await asyncio.to_thread(upgrade, url)
    store = open_store(url)
    tsdb = TSDB(store)
    series: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
    done = 0
    try:
        with _progress(DownloadColumn()) as progress:
            task = progress.add_task("bytes", total=size)
            for batch in _batches(read_samples(source, kind), BATCH):
                await tsdb.write(batch)
                done += len(batch)
                series.update((s.name, tuple(sorted(s.labels.items()))) for s in batch)
                progress.update(task, completed=source.tell())
    except ParseError as exc:
        raise _ImportError(exc, done) from None
    finally:
        await store.close()
    return done, len(series)


def _batches(samples: Iterator[Sample], size: int) -> Iterator[list[Sample]]:
    """Lists of ``size`` samples; the last, shorter one only once ``samples`` ended well."""
    batch: list[Sample] = []
    for sample in samples:
        batch.append(sample)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


@db.command("backup")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@_store_options
def db_backup(file: Path, config_dir: Path | None, data_dir: Path | None) -> None:
    """Copy the store into FILE, consistently, while the hub runs (SQLite only)."""
    settings = _settings(config_dir, data_dir)
    try:
        size = backup(settings.database_url, file)
    except BackupError as error:
        click.echo(f"tcf-hub: {error}", err=True)
        sys.exit(1)
    click.echo(f"backed up the store to {file} ({size / 1e6:.1f} MB, integrity checked)")


@db.command("restore")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@_store_options
def db_restore(file: Path, config_dir: Path | None, data_dir: Path | None) -> None:
    """Replace the store with the backup FILE (the hub must be stopped)."""
    settings = _settings(config_dir, data_dir)
    try:
        kept = restore(file, settings.database_url, settings.data_dir)
    except BackupError as error:
        click.echo(f"tcf-hub: {error}", err=True)
        sys.exit(1)
    click.echo(f"restored the store from {file}")
    if kept is not None:
        click.echo(f"the store it replaced is kept as {kept}")
