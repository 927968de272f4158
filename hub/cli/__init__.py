"""The ``tcf-hub`` command: serve, ctl, db, agent, open.

Subcommands are imported when they are run (``LazyGroup``): ``tcf-hub --version`` and ``tcf-hub
ctl …`` do not pay for the server stack that ``serve`` and ``db`` import, nor ``serve`` for the
commands it does not run.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from typing import Any

import click

from hub import __version__

# httpx imports its own command line (httpx._main) when it can, and with it rich's console and
# progress bars and pygments' lexers: 2.2 MB of a running hub's memory and ~0.15 s of start-up
# that no tcf-hub command uses. A None entry makes that import fail, which httpx handles (its
# ``main`` then says the CLI is not installed); the binary leaves the module out the same way
# (packaging/tcf-hub.spec). Set here, before any subcommand imports httpx. None in sys.modules
# is the documented way to block an import (typeshed types the values as modules only):
# https://docs.python.org/3/reference/import.html#the-module-cache
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]


class LazyGroup(click.Group):
    """A click group whose commands come from a registry of loaders, each called (importing
    its module) only when its command is run, listed in ``--help`` or looked up."""

    def __init__(
        self, *args: Any, loaders: Mapping[str, Callable[[], click.Command]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.loaders = dict(loaders)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.loaders})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.loaders:
            self.add_command(self.loaders[cmd_name](), cmd_name)
        return super().get_command(ctx, cmd_name)


def _serve() -> click.Command:
    from hub.cli.serve import serve

    return serve


def _ctl() -> click.Command:
    from hub.cli.ctl import alerts, ctl
    from hub.cli.ctl import rules as rules_group
    from hub.cli.notify import notify
    from hub.cli.rules import rules_list, rules_test
    from hub.cli.silences import alerts_silence, silences
    from hub.cli.tokens import tokens
    from hub.cli.users import users

    for command in (tokens, silences, notify, users):
        ctl.add_command(command)
    alerts.add_command(alerts_silence)
    rules_group.add_command(rules_list)
    rules_group.add_command(rules_test)
    return ctl


def _db() -> click.Command:
    from hub.cli.db import db

    return db


def _agent() -> click.Command:
    from hub.cli.agent import agent

    return agent


def _open() -> click.Command:
    from hub.cli.open import open_command

    return open_command


COMMANDS: dict[str, Callable[[], click.Command]] = {
    "serve": _serve,
    "ctl": _ctl,
    "db": _db,
    "agent": _agent,
    "open": _open,
}
"""The subcommands and how to load each."""


@click.group(
    cls=LazyGroup,
    loaders=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, prog_name="tcf-hub")
def cli() -> None:
    """tcf-hub: monitoring and alerting hub for small teams."""


def main() -> None:
    """Entry point of the ``tcf-hub`` script."""
    cli()
