"""``tcf-hub serve``: run the hub (C2)."""

from __future__ import annotations

import ipaddress
import logging
import sys
from collections.abc import Callable
from pathlib import Path

import click
import uvicorn

from hub.cli.hubserver import HubServer
from hub.cli.options import config_dir_option, data_dir_option
from hub.lib.gctune import tune_gc
from hub.lib.secrets import ensure_private_dir
from hub.lib.yamlconf import ConfigError
from hub.settings import Settings, load_settings

EXIT_CONFIG = 2


def is_loopback(host: str) -> bool:
    """Whether binding ``host`` keeps the hub reachable from this machine only."""
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def tls_files(settings: Settings) -> tuple[Path, Path] | None:
    """The certificate and key of ``hub.tls_cert``/``hub.tls_key`` (relative paths are taken
    from the config dir), or None when TLS is not configured.

    Raises:
        ValueError: only one of the two is set, or a file is missing.
    """
    hub = settings.monitoring.hub
    if not hub.tls_cert and not hub.tls_key:
        return None
    if not hub.tls_cert or not hub.tls_key:
        raise ValueError("hub.tls_cert and hub.tls_key must be set together")
    base = settings.monitoring_file.parent if settings.monitoring_file else Path.cwd()
    cert, key = (base / hub.tls_cert, base / hub.tls_key)
    for name, path in (("hub.tls_cert", cert), ("hub.tls_key", key)):
        if not path.is_file():
            raise ValueError(f"{name}: no such file {path}")
    return cert, key


def bind_problem(host: str, tls: bool, insecure_bind: bool) -> str | None:
    """Why binding ``host`` is refused, or None: beyond loopback the hub needs TLS or an
    explicit ``--insecure-bind`` (say, behind a reverse proxy on a private network)."""
    if is_loopback(host) or tls or insecure_bind:
        return None
    return (
        f"refusing to bind {host} without TLS: passwords and session cookies would cross the "
        "network in clear. Set hub.tls_cert and hub.tls_key, or put a TLS reverse proxy in "
        "front and bind 127.0.0.1, or pass --insecure-bind if you accept the risk."
    )


def _start_migration(settings: Settings) -> Callable[[str], object]:
    """Start the store's migration child now, so that on a fresh store it runs beside the
    server stack's imports instead of after them; the app's lifespan waits for it. When the
    store cannot be read yet, the lifespan migrates (and reports) as it always did."""
    from hub.store.migrate import MigrationError, start_upgrade, upgrade_out_of_process

    try:
        ensure_private_dir(settings.data_dir)
        return start_upgrade(settings.database_url)
    except (MigrationError, OSError):
        return upgrade_out_of_process


@click.command()
@config_dir_option
@data_dir_option
@click.option("--host", envvar="TCF_HUB_HOST", help="Address to bind (default 127.0.0.1).")
@click.option("--port", type=int, envvar="TCF_HUB_PORT", help="Port to bind (default 3001).")
@click.option(
    "--insecure-bind",
    is_flag=True,
    envvar="TCF_HUB_INSECURE_BIND",
    help="Allow a non-loopback --host without TLS (plain HTTP on the network).",
)
@click.option(
    "--log-level",
    default="info",
    show_default=True,
    type=click.Choice(["debug", "info", "warning", "error"]),
)
def serve(
    config_dir: Path | None,
    data_dir: Path | None,
    host: str | None,
    port: int | None,
    insecure_bind: bool,
    log_level: str,
) -> None:
    """Run the hub: collect, evaluate, notify and serve the dashboard."""
    tune_gc()  # before the server stack's imports, which also allocate a lot
    logging.basicConfig(
        level=log_level.upper(),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for chatty in ("alembic", "apscheduler"):  # every job run and migration step at INFO
        logging.getLogger(chatty).setLevel(max(logging.WARNING, logging.getLogger().level))
    try:
        settings = load_settings(config_dir, data_dir, host, port)
    except ConfigError as exc:
        click.echo(f"tcf-hub: invalid configuration: {exc}", err=True)
        sys.exit(EXIT_CONFIG)
    try:
        tls = tls_files(settings)
    except ValueError as exc:
        click.echo(f"tcf-hub: invalid configuration: {exc}", err=True)
        sys.exit(EXIT_CONFIG)
    problem = bind_problem(settings.host, tls is not None, insecure_bind)
    if problem:
        click.echo(f"tcf-hub: {problem}", err=True)
        sys.exit(EXIT_CONFIG)
    migrate = _start_migration(settings)
    # Imported here, not at the top: the server stack (Litestar, SQLAlchemy, Alembic) takes most
    # of a second to import, and `tcf-hub ctl` should not pay for it.
    from hub.app import create_app

    app = create_app(settings, announce=lambda line: click.echo(line), migrate=migrate)
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_level=log_level,
        timeout_graceful_shutdown=3,
        # uvicorn's default is 5 s, the same as httpx's keepalive_expiry: an agent reusing a
        # connection just as the hub's timer closed it got a ReadError (3 in 14,951 batches
        # under load). See HubConfig.keep_alive.
        timeout_keep_alive=round(settings.monitoring.hub.keep_alive),
        lifespan="on",
        ssl_certfile=str(tls[0]) if tls else None,
        ssl_keyfile=str(tls[1]) if tls else None,
    )
    HubServer(config).run()
