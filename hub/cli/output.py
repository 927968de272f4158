"""What the ``ctl`` commands share: the hub client from the context, and tables for people."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from hub.cli.client import HubClient


def hub_client(ctx: click.Context) -> HubClient:
    """The client ``ctl`` made from --url and --token."""
    make: Any = ctx.obj
    client: HubClient = make()
    return client


def console() -> Console:
    """Terminal width on a terminal; wide when piped, so rows stay whole for grep and awk."""
    return Console(width=None if sys.stdout.isatty() else 200)


def make_table(*columns: str, fold: Iterable[str] = ("labels",)) -> Table:
    """A table whose cells stay on one line (greppable), except the ``fold`` columns."""
    folded = set(fold)
    out = Table()
    for name in columns:
        out.add_column(name, no_wrap=name not in folded, overflow="fold")
    return out


def when(value: str | None) -> str:
    """An API timestamp as ``YYYY-MM-DD HH:MM:SS`` (empty for none)."""
    return "" if not value else value[:19].replace("T", " ")


def print_rows(
    rows: list[dict[str, Any]],
    as_json: bool,
    columns: Sequence[str],
    cells: Callable[[dict[str, Any]], Sequence[str]],
    fold: Iterable[str] = (),
) -> None:
    """``rows`` as JSON for scripts, or as a table of ``columns`` whose cells ``cells`` makes."""
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    table = make_table(*columns, fold=fold)
    for row in rows:
        table.add_row(*cells(row))
    console().print(table)
