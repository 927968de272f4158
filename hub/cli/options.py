"""Options several commands share (C2): where the config and the data live."""

from __future__ import annotations

from pathlib import Path

import click

config_dir_option = click.option(
    "--config",
    "config_dir",
    type=click.Path(path_type=Path, file_okay=False),
    envvar="TCF_HUB_CONFIG",
    help="Dir with monitoring.yml and alerts.yml (env TCF_HUB_CONFIG).",
)
data_dir_option = click.option(
    "--data-dir",
    type=click.Path(path_type=Path, file_okay=False),
    envvar="TCF_HUB_DATA_DIR",
    help="Where the store and secrets live (env TCF_HUB_DATA_DIR).",
)
