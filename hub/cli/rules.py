"""``tcf-hub ctl rules list`` (through the API) and ``ctl rules test FILE`` (without a hub)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import click

from hub.cli.client import EXIT_REFUSED
from hub.cli.output import hub_client, print_rows
from hub.lib.durations import format_duration
from hub.lib.yamlconf import ConfigError


@click.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_context
def rules_list(ctx: click.Context, as_json: bool) -> None:
    """The rules the hub evaluates: alerts.yml's (source file) and the API's (source api)."""
    rows = hub_client(ctx).get("/api/v1/rules")
    print_rows(
        rows,
        as_json,
        ("name", "source", "condition", "for", "severity"),
        lambda row: (
            row["name"],
            row["source"],
            _condition(row),
            format_duration(row["duration"]),
            row["severity"],
        ),
    )


def _condition(row: dict[str, Any]) -> str:
    """A rule's condition in one line: ``metric op threshold`` or ``no metric for 5m``."""
    if row.get("absent") is not None:
        return f"no {row['metric']} for {format_duration(row['absent'])}"
    return f"{row['metric']} {row['operator']} {row['threshold']:g}"


@click.command("test")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
def rules_test(file: Path) -> None:
    """Run rule unit tests (promtool style) without a hub: exit 0 all pass, 1 otherwise."""
    # The real engine and a store: imported here, so that the rest of ctl starts without them.
    from hub.cli.ruletest import run_test_file

    try:
        outcome = asyncio.run(run_test_file(file))
    except ConfigError as error:
        click.echo(f"invalid: {error}", err=True)
        sys.exit(EXIT_REFUSED)
    for failure in outcome.failures:
        click.echo(failure.render())
    passed = outcome.checks - len(outcome.failures)
    click.echo(f"{file}: {passed} of {outcome.checks} checks passed")
    if outcome.failures:
        sys.exit(EXIT_REFUSED)
