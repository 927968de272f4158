"""``tcf-hub agent``: collect on this host and push to a hub (C10)."""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path

import click

from hub.cli.client import EXIT_REFUSED
from hub.lib.durations import parse_duration
from hub.lib.sizes import parse_size
from hub.settings import default_data_dir


@click.command()
@click.option("--hub", "hub_url", required=True, envvar="TCF_HUB_URL", help="The hub's base URL.")
@click.option(
    "--token",
    envvar="TCF_HUB_TOKEN",
    help="An ingest-scoped token (tcf-hub ctl tokens create NAME --scope ingest).",
)
@click.option(
    "--token-file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Read the token from this file instead (keeps it out of the process list).",
)
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path, file_okay=False),
    envvar="TCF_HUB_DATA_DIR",
    help="Where the spool lives (default: <tcf-hub data dir>/agent).",
)
@click.option("--interval", default="10s", show_default=True, help="Time between collections.")
@click.option("--host", help="Name of this host on the hub (default: the host name).")
@click.option(
    "--spool-max",
    default="100MB",
    show_default=True,
    help="Disk the spool may use while the hub is away; the oldest batches go first.",
)
@click.option(
    "--log-level",
    default="info",
    show_default=True,
    type=click.Choice(["debug", "info", "warning", "error"]),
)
def agent(
    hub_url: str,
    token: str | None,
    token_file: Path | None,
    data_dir: Path | None,
    interval: str,
    host: str | None,
    spool_max: str,
    log_level: str,
) -> None:
    """Collect this host's metrics and send them to the hub at --hub, spooling to disk while
    it cannot be reached. Stops cleanly on SIGTERM or Ctrl-C."""
    logging.basicConfig(
        level=log_level.upper(),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for chatty in ("httpx", "httpcore"):  # a line per request at INFO, a dozen at DEBUG
        logging.getLogger(chatty).setLevel(logging.WARNING)
    if token_file is not None:
        token = token_file.read_text(encoding="utf-8").strip()
    if not token:
        raise click.UsageError("pass --token, --token-file or set TCF_HUB_TOKEN")
    try:
        seconds = float(parse_duration(interval))
        max_bytes = int(parse_size(spool_max))
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    if seconds < 1:
        raise click.BadParameter("--interval must be at least 1 second")
    from hub.agent import HubRefusedError, run_agent

    try:
        asyncio.run(
            run_agent(
                hub_url, token, data_dir or default_data_dir() / "agent", seconds, host, max_bytes
            )
        )
    except HubRefusedError as exc:
        click.echo(f"tcf-hub agent: {exc}; fix the token and start again", err=True)
        sys.exit(EXIT_REFUSED)
