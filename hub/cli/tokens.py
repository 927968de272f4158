"""``tcf-hub ctl tokens``: named API tokens for agents and heartbeats (through the hub's API)."""

from __future__ import annotations

import click

from hub.cli.output import hub_client, print_rows, when
from hub.domain.tokens import TokenScope

SCOPES = tuple(scope.value for scope in TokenScope)


@click.group()
def tokens() -> None:
    """API tokens scoped to admin, read, ingest (agents) or heartbeat (cron and backup jobs)."""


@tokens.command("create")
@click.argument("name")
@click.option("--scope", type=click.Choice(SCOPES), required=True, help="What it may call.")
@click.pass_context
def tokens_create(ctx: click.Context, name: str, scope: str) -> None:
    """Create token NAME and print its secret (shown this once only)."""
    created = hub_client(ctx).post("/api/v1/tokens", {"name": name, "scope": scope})
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
    rows = hub_client(ctx).get("/api/v1/tokens")
    print_rows(
        rows,
        as_json,
        ("name", "scope", "created", "last used"),
        lambda row: (
            row["name"],
            row["scope"],
            when(row["created_at"]),
            when(row.get("last_used_at")) or "never",
        ),
    )


@tokens.command("revoke")
@click.argument("name")
@click.pass_context
def tokens_revoke(ctx: click.Context, name: str) -> None:
    """Revoke token NAME: requests with it are refused from now on."""
    hub_client(ctx).request("DELETE", f"/api/v1/tokens/{name}")
    click.echo(f"token {name!r} revoked")
