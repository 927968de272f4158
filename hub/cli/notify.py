"""``tcf-hub ctl notify``: test a channel, list channels, read the delivery log (via the API)."""

from __future__ import annotations

import json
import sys
from urllib.parse import quote

import click

from hub.cli.client import EXIT_REFUSED, HubClient
from hub.cli.output import hub_client, print_rows, when

TEST_TIMEOUT = 330.0
"""Seconds ``notify test`` waits for the hub: longer than any channel's timeout."""


@click.group()
def notify() -> None:
    """Notification channels and the delivery log."""


@notify.command("test")
@click.argument("channel")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_context
def notify_test(ctx: click.Context, channel: str, as_json: bool) -> None:
    """Send a test notification to CHANNEL now and print the result (exit 1 if not delivered)."""
    # the hub answers once the channel did, which may take the channel's whole timeout (≤ 300 s)
    client: HubClient = ctx.obj(timeout=TEST_TIMEOUT)
    result = client.post(f"/api/v1/channels/{quote(channel, safe='')}/test")
    if as_json:
        click.echo(json.dumps(result, indent=2))
    elif result["ok"]:
        click.echo(f"{channel}: delivered in {result['duration_ms']:.0f} ms")
    else:
        click.echo(f"{channel}: not delivered ({result['error']})", err=True)
    if not result["ok"]:
        sys.exit(EXIT_REFUSED)


@notify.command("channels")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_context
def notify_channels(ctx: click.Context, as_json: bool) -> None:
    """Configured channels with their health (no secrets)."""
    rows = hub_client(ctx).get("/api/v1/channels")
    print_rows(
        rows,
        as_json,
        ("name", "type", "status", "target", "last attempt", "pending", "error"),
        lambda row: (
            row["name"],
            row["type"],
            row["status"],
            row["target"] or "",
            when(row["last_attempt_at"]),
            str(row["pending"]),
            row["last_error"] or "",
        ),
        fold=("error",),
    )


@notify.command("log")
@click.option("--channel", help="Only this channel's attempts.")
@click.option("--limit", default=50, show_default=True, help="How many attempts, newest first.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_context
def notify_log(ctx: click.Context, channel: str | None, limit: int, as_json: bool) -> None:
    """The delivery log: every attempt with its outcome, status, error and duration."""
    rows = hub_client(ctx).get("/api/v1/notifications/deliveries", channel=channel, limit=limit)
    print_rows(
        rows,
        as_json,
        ("at", "notification", "channel", "outcome", "status", "ms", "error"),
        lambda row: (
            when(row["at"]),
            str(row["notification_id"]),
            row["channel"],
            row["outcome"] or ("sent" if row["ok"] else "failed"),
            "" if row["status_code"] is None else str(row["status_code"]),
            f"{row['duration_ms']:.0f}",
            row["error"] or "",
        ),
        fold=("error",),
    )
