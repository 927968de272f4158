"""``tcf-hub ctl tokens``: named API tokens for agents and heartbeats (through the hub's API)."""

from __future__ import annotations

import json
import sys
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from hub.cli.client import HubClient

SCOPES = ("ingest", "heartbeat")


def _client(ctx: click.Context) -> HubClient:
    make: Any = ctx.obj
    client: HubClient = make()
    return client


@click.group()
def tokens() -> None:
    """API tokens scoped to ingest (agents) or heartbeat (cron and backup jobs)."""


@tokens.command("create")
@click.argument("name")
@click.option("--scope", type=click.Choice(SCOPES), required=True, help="What it may call.")
@click.pass_context
def tokens_create(ctx: click.Context, name: str, scope: str) -> None:
    """Create token NAME and print its secret (shown this once only)."""
    created = _client(ctx).post("/api/v1/tokens", {"name": name, "scope": scope})
    click.echo(created["token"])
    click.echo(
        f"token {created['name']!r} (scope {created['scope']}) created; "
        "store the secret above now, it is not shown again",
        err=True,
    )


@tokens.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_context
def tokens_list(ctx: click.Context, as_json: bool) -> None:
    """List tokens with their scope and last use (never their secrets)."""
    rows = _client(ctx).get("/api/v1/tokens")
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    table = Table()
    for column in ("name", "scope", "created", "last used"):
        table.add_column(column, no_wrap=True)
    for row in rows:
        table.add_row(
            row["name"],
            row["scope"],
            _when(row["created_at"]),
            _when(row.get("last_used_at")) or "never",
        )
    Console(width=None if sys.stdout.isatty() else 200).print(table)


@tokens.command("revoke")
@click.argument("name")
@click.pass_context
def tokens_revoke(ctx: click.Context, name: str) -> None:
    """Revoke token NAME: requests with it are refused from now on."""
    _client(ctx).request("DELETE", f"/api/v1/tokens/{name}")
    click.echo(f"token {name!r} revoked")


def _when(value: str | None) -> str:
    return "" if not value else value[:19].replace("T", " ")
