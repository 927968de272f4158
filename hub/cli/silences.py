"""``tcf-hub ctl alerts silence`` and ``ctl silences``: mute notifications (through the API)."""

from __future__ import annotations

import json

import click

from hub.cli.output import hub_client, print_rows, when


@click.command("silence")
@click.option(
    "--match",
    "matchers",
    multiple=True,
    required=True,
    help='A label matcher: host=db1, job!=x, service=~"api|web" (repeat; all must hold).',
)
@click.option("--duration", default="2h", show_default=True, help="How long, like 30m or 2h.")
@click.option("--comment", required=True, help="Why (shown with the silence).")
@click.pass_context
def alerts_silence(
    ctx: click.Context, matchers: tuple[str, ...], duration: str, comment: str
) -> None:
    """Silence the notifications of alerts matching every --match, starting now."""
    silence = hub_client(ctx).post(
        "/api/v1/silences",
        {"matchers": list(matchers), "duration": duration, "comment": comment},
    )
    click.echo(f"silence {silence['id']} {silence['state']} until {when(silence['ends_at'])}")


@click.group()
def silences() -> None:
    """List and expire silences."""


@silences.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_context
def silences_list(ctx: click.Context, as_json: bool) -> None:
    """Pending, active and recently expired silences."""
    rows = hub_client(ctx).get("/api/v1/silences")
    print_rows(
        rows,
        as_json,
        ("id", "state", "matchers", "starts", "ends", "by", "comment"),
        lambda row: (
            row["id"],
            row["state"],
            ", ".join(_matcher(m) for m in row["matchers"]),
            when(row["starts_at"]),
            when(row["ends_at"]),
            row["created_by"],
            row["comment"],
        ),
        fold=("matchers", "comment"),
    )


@silences.command("expire")
@click.argument("silence_id")
@click.pass_context
def silences_expire(ctx: click.Context, silence_id: str) -> None:
    """End silence SILENCE_ID now; alerts it muted that still fire notify at their next tick."""
    hub_client(ctx).post(f"/api/v1/silences/{silence_id}/expire")
    click.echo(f"silence {silence_id} expired")


def _matcher(matcher: dict[str, str]) -> str:
    return f"{matcher['label']}{matcher['op']}{json.dumps(matcher['value'])}"
