"""The ``tcf-hub`` command: serve, ctl, db, agent, open."""

from __future__ import annotations

import click

from hub import __version__
from hub.cli.agent import agent
from hub.cli.ctl import alerts, ctl
from hub.cli.ctl import rules as rules_group
from hub.cli.db import db
from hub.cli.notify import notify
from hub.cli.open import open_command
from hub.cli.rules import rules_list, rules_test
from hub.cli.serve import serve
from hub.cli.silences import alerts_silence, silences
from hub.cli.tokens import tokens
from hub.cli.users import users


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tcf-hub")
def cli() -> None:
    """tcf-hub: monitoring and alerting hub for small teams."""


cli.add_command(serve)
cli.add_command(ctl)
cli.add_command(db)
cli.add_command(agent)
cli.add_command(open_command)
ctl.add_command(tokens)
ctl.add_command(silences)
ctl.add_command(notify)
ctl.add_command(users)
alerts.add_command(alerts_silence)
rules_group.add_command(rules_list)
rules_group.add_command(rules_test)


def main() -> None:
    """Entry point of the ``tcf-hub`` script."""
    cli()
