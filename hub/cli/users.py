"""``tcf-hub ctl users``: dashboard users and their sessions (through the hub's API)."""

from __future__ import annotations

import sys
from typing import Any

import click

from hub.cli.output import hub_client, print_rows, when
from hub.domain.users import Role

ROLES = tuple(role.value for role in Role)


def _read_password(from_stdin: bool) -> str | None:
    """The password from stdin's first line, or None to let the hub generate one."""
    if not from_stdin:
        return None
    return sys.stdin.readline().rstrip("\r\n")


def _show_generated(password: str | None, name: str) -> None:
    if password:
        click.echo(password)
        click.echo(
            f"generated password for {name!r} above: hand it over now, it is not shown again",
            err=True,
        )


@click.group()
def users() -> None:
    """Dashboard users: roles admin (everything) and viewer (read-only)."""


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), default="viewer", show_default=True)
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from stdin (else one is generated)."
)
@click.pass_context
def users_add(ctx: click.Context, name: str, role: str, password_stdin: bool) -> None:
    """Create user NAME; prints the generated password when none is given."""
    body: dict[str, Any] = {"name": name, "role": role}
    password = _read_password(password_stdin)
    if password is not None:
        body["password"] = password
    created = hub_client(ctx).post("/api/v1/users", body)
    click.echo(f"user {name!r} ({role}) created", err=True)
    _show_generated(created.get("password"), name)


@users.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_context
def users_list(ctx: click.Context, as_json: bool) -> None:
    """List users with their role and whether TOTP is on (never passwords)."""
    rows = hub_client(ctx).get("/api/v1/users")
    print_rows(
        rows,
        as_json,
        ("name", "role", "totp", "created"),
        lambda row: (
            row["name"],
            row["role"],
            "on" if row["totp_enabled"] else "off",
            when(row["created_at"]),
        ),
    )


@users.command("remove")
@click.argument("name")
@click.pass_context
def users_remove(ctx: click.Context, name: str) -> None:
    """Remove user NAME and end their sessions (the last admin cannot be removed)."""
    hub_client(ctx).request("DELETE", f"/api/v1/users/{name}")
    click.echo(f"user {name!r} removed")


@users.command("reset-password")
@click.argument("name")
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from stdin (else one is generated)."
)
@click.option("--reset-totp", is_flag=True, help="Also turn the user's TOTP off (lost phone).")
@click.pass_context
def users_reset_password(
    ctx: click.Context, name: str, password_stdin: bool, reset_totp: bool
) -> None:
    """Give user NAME a new password and end their sessions."""
    password = _read_password(password_stdin)
    client = hub_client(ctx)
    body = {} if password is None else {"password": password}
    result = client.post(f"/api/v1/users/{name}/password", body)
    if reset_totp:
        client.request("DELETE", f"/api/v1/users/{name}/totp")
    click.echo(
        f"password of {name!r} reset; {result['sessions_ended']} session(s) ended"
        + ("; TOTP turned off" if reset_totp else ""),
        err=True,
    )
    _show_generated(result.get("password"), name)


@users.command("sessions")
@click.argument("name", required=False)
@click.option("--revoke", is_flag=True, help="End every session of NAME.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_context
def users_sessions(ctx: click.Context, name: str | None, revoke: bool, as_json: bool) -> None:
    """List live sessions (of NAME, or all); with --revoke, end NAME's sessions."""
    client = hub_client(ctx)
    if revoke:
        if name is None:
            raise click.UsageError("--revoke needs a user NAME")
        ended = client.request("DELETE", f"/api/v1/users/{name}/sessions").json()
        click.echo(f"{ended['sessions_ended']} session(s) of {name!r} ended")
        return
    rows = client.get(f"/api/v1/users/{name}/sessions" if name else "/api/v1/sessions")
    print_rows(
        rows,
        as_json,
        ("id", "user", "created", "expires"),
        lambda row: (
            row["id"][:16],
            row["principal"],
            when(row["created_at"]),
            when(row["expires_at"]),
        ),
    )
