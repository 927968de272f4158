"""``tcf-hub db``: look after the store without a running hub."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from hub.lib.yamlconf import ConfigError
from hub.settings import load_settings
from hub.store import open_store, upgrade
from hub.store.chunks import StorageStats


@click.group()
def db() -> None:
    """The store: statistics and maintenance."""


@db.command("stats")
@click.option(
    "--config",
    "config_dir",
    type=click.Path(path_type=Path, file_okay=False),
    envvar="TCF_HUB_CONFIG",
    help="Dir with monitoring.yml (for database.url).",
)
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path, file_okay=False),
    envvar="TCF_HUB_DATA_DIR",
    help="Where the store lives.",
)
def db_stats(config_dir: Path | None, data_dir: Path | None) -> None:
    """Series, samples, bytes per sample and file size."""
    try:
        settings = load_settings(config_dir, data_dir)
    except ConfigError as exc:
        click.echo(f"tcf-hub: invalid configuration: {exc}", err=True)
        sys.exit(2)
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
