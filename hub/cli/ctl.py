"""``tcf-hub ctl``: drive the running hub from the shell (C5)."""

from __future__ import annotations

import getpass
import json
import socket
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from hub.cli.client import EXIT_REFUSED, HubClient, find_token
from hub.cli.output import console, hub_client, make_table, print_rows, when
from hub.lib.durations import format_duration
from hub.lib.yamlconf import ConfigError, load_yaml
from hub.notify.policy import parse_policy
from hub.rules.parse import parse_rules
from hub.settings import builtin_config_dir, default_config_dir

ALERT_STATES = ("pending", "firing", "acknowledged", "resolved")


@click.group()
@click.option(
    "--url",
    envvar="TCF_HUB_URL",
    default="http://127.0.0.1:3001",
    show_default=True,
    help="The hub's base URL.",
)
@click.option(
    "--token", envvar="TCF_HUB_TOKEN", help="API token (default: <data-dir>/admin.token)."
)
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path, file_okay=False),
    envvar="TCF_HUB_DATA_DIR",
    help="Data dir holding admin.token.",
)
@click.pass_context
def ctl(ctx: click.Context, url: str, token: str | None, data_dir: Path | None) -> None:
    """Talk to a running hub."""
    ctx.obj = lambda **options: HubClient(url, find_token(token, data_dir), **options)


@ctl.group()
def metrics() -> None:
    """Current metric values."""


@metrics.command("show")
@click.argument("service", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_context
def metrics_show(ctx: click.Context, service: str | None, as_json: bool) -> None:
    """Show current values, of every series or of one SERVICE."""
    rows = hub_client(ctx).get("/api/v1/metrics/current", service=service)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows and service:
        click.echo(f"no current metrics for {service!r}", err=True)
        sys.exit(EXIT_REFUSED)
    table = make_table("metric", "labels", "value", "age")
    now = datetime.now(UTC).timestamp()
    for row in rows:
        labels = {k: v for k, v in row["labels"].items() if k != "host"}
        table.add_row(
            row["name"],
            _labels(labels),
            _value(row["value"], row["unit"]),
            f"{max(0, now - row['time']):.0f}s",
        )
    console().print(table)


@metrics.command("trend")
@click.argument("target")
@click.option("--window", default="7d", show_default=True, help="How far back to fit.")
@click.option("--threshold", type=float, help="Level to forecast (default 100 for percentages).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_context
def metrics_trend(
    ctx: click.Context, target: str, window: str, threshold: float | None, as_json: bool
) -> None:
    """Trend, capacity forecast and week-over-week change of TARGET: a metric, a selector
    like 'disk_usage{mount="/"}', or a service name."""
    client = hub_client(ctx)
    params = {"window": window, "threshold": threshold}
    match = target
    rows = client.get("/api/v1/series/forecast", match=match, **params)
    if not rows and "{" not in target:
        match = f'{{service="{target}"}}'
        rows = client.get("/api/v1/series/forecast", match=match, **params)
    changes = client.get("/api/v1/series/compare", match=match, window="1d")
    if as_json:
        click.echo(json.dumps({"forecasts": rows, "week_over_week": changes}, indent=2))
        return
    if not rows:
        click.echo(f"no data for {target!r} in the last {window}", err=True)
        sys.exit(EXIT_REFUSED)
    weekly = {_series_key(c): c["comparison"] for c in changes}
    table = make_table("series", "now", "per day", "forecast", "vs last week")
    for row in rows:
        change = weekly.get(_series_key(row))
        table.add_row(
            f"{row['name']}{{{_labels(row['labels'])}}}",
            f"{row['current']:.4g}",
            f"{row['slope_per_day']:+.3g}",
            _forecast_text(row),
            "" if change is None else _change_text(change),
        )
    console().print(table)


@ctl.group()
def alerts() -> None:
    """List and acknowledge alerts."""


@alerts.command("list")
@click.option("--state", type=click.Choice(ALERT_STATES), help="Only alerts in this state.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_context
def alerts_list(ctx: click.Context, state: str | None, as_json: bool) -> None:
    """List alerts, newest first."""
    rows = hub_client(ctx).get("/api/v1/alerts", state=state)
    print_rows(
        rows,
        as_json,
        ("id", "rule", "state", "severity", "labels", "value", "started", "acked by"),
        lambda row: (
            str(row["id"]),
            row["rule"],
            row["state"],
            row["severity"],
            _labels({k: v for k, v in row["labels"].items() if k not in ("alertname", "severity")}),
            "" if row["value"] is None else f"{row['value']:.4g}",
            when(row["started_at"]),
            row.get("acknowledged_by") or "",
        ),
        fold=("labels",),
    )


@alerts.command("ack")
@click.argument("alert_id", type=int)
@click.option("--comment", help="Why, or what you are doing about it.")
@click.pass_context
def alerts_ack(ctx: click.Context, alert_id: int, comment: str | None) -> None:
    """Acknowledge alert ALERT_ID (stops repeats; idempotent)."""
    result = hub_client(ctx).post(
        f"/api/v1/alerts/{alert_id}/ack", {"comment": comment, "by": _who()}
    )
    alert = result["alert"]
    click.echo(
        f"alert {alert_id} ({alert['rule']}) {result['outcome']} by {alert['acknowledged_by']}"
    )


@alerts.command("unack")
@click.argument("alert_id", type=int)
@click.pass_context
def alerts_unack(ctx: click.Context, alert_id: int) -> None:
    """Take back the acknowledgement of ALERT_ID."""
    alert = hub_client(ctx).post(f"/api/v1/alerts/{alert_id}/unack")
    click.echo(f"alert {alert_id} ({alert['rule']}) is {alert['state']}")


@alerts.command("resolve")
@click.argument("alert_id", type=int)
@click.option("--comment", help="What was done.")
@click.pass_context
def alerts_resolve(ctx: click.Context, alert_id: int, comment: str | None) -> None:
    """Resolve ALERT_ID by hand (rules with manual_resolve: true)."""
    alert = hub_client(ctx).post(
        f"/api/v1/alerts/{alert_id}/resolve", {"comment": comment, "by": _who()}
    )
    click.echo(f"alert {alert_id} ({alert['rule']}) is {alert['state']}")


@ctl.group()
def rules() -> None:
    """Alert rules."""


@rules.command("check")
@click.argument("file", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--config",
    "config_dir",
    type=click.Path(path_type=Path, file_okay=False),
    envvar="TCF_HUB_CONFIG",
    help="Config dir whose alerts.yml to check.",
)
def rules_check(file: Path | None, config_dir: Path | None) -> None:
    """Validate an alerts file without a running hub (exit 0 valid, 1 invalid)."""
    path = file or _configured_alerts(config_dir)
    try:
        doc = load_yaml(path)
        found = parse_rules(doc)
        policy = parse_policy(doc, None)
    except ConfigError as exc:
        click.echo(f"invalid: {exc}", err=True)
        sys.exit(EXIT_REFUSED)
    click.echo(f"{path}: {_count(found, 'rule')} OK")
    click.echo(
        f"  policy: {_count(policy.routes.routes, 'route')}, "
        f"{_count(policy.inhibit_rules, 'inhibit rule')}, "
        f"{_count(policy.maintenance, 'maintenance window')}"
    )
    for rule in found:
        click.echo(
            f"  {rule.name}: {rule.metric} {rule.operator} {rule.threshold:g} "
            f"for {format_duration(rule.duration)} -> {rule.severity}"
        )


def _count(items: object, noun: str) -> str:
    count = len(items)  # type: ignore[arg-type]
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _configured_alerts(config_dir: Path | None) -> Path:
    folder = config_dir or default_config_dir()
    own = folder / "alerts.yml"
    return own if own.is_file() else builtin_config_dir() / "alerts.yml"


def _series_key(row: dict[str, Any]) -> tuple[str, str]:
    return row["name"], _labels(row["labels"])


def _forecast_text(row: dict[str, Any]) -> str:
    crossing, limit = row.get("crossing"), row.get("threshold")
    if crossing is None:
        return "no threshold (pass --threshold)"
    reason = crossing["reason"]
    if reason == "crossing":
        days = crossing["in_seconds"] / 86400
        when = datetime.fromtimestamp(crossing["at"], UTC).strftime("%Y-%m-%d")
        return f"reaches {limit:g} in {days:.1f} days ({when})"
    texts = {
        "already_beyond": f"already at {limit:g}",
        "moving_away": f"moving away from {limit:g}",
        "flat": "flat",
        "beyond_horizon": "not within the horizon",
    }
    return texts.get(str(reason), str(reason))


def _change_text(change: dict[str, Any]) -> str:
    percent = change.get("change_percent")
    return f"{change['change']:+.3g}" + ("" if percent is None else f" ({percent:+.1f} %)")


def _who() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "cli"
    return f"{user}@{socket.gethostname()}"


def _labels(labels: dict[str, Any]) -> str:
    return ",".join(f"{k}={v}" for k, v in sorted(labels.items()))


def _value(value: float, unit: str) -> str:
    if unit == "B/s":
        for prefix in ("", "K", "M", "G"):
            if abs(value) < 1000:
                return f"{value:.1f} {prefix}B/s"
            value /= 1000
        return f"{value:.1f} TB/s"
    return f"{value:.1f}{unit if unit == '%' else (' ' + unit if unit else '')}"
