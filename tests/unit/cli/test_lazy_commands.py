"""Subcommands are loaded when run or listed, from the registry in hub/cli/__init__.py."""

import pytest
from click.testing import CliRunner

import hub.tsdb
from hub.cli import COMMANDS, cli


def test_help_lists_every_registered_command():
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    listed = result.output.split("Commands:")[1].split()
    assert set(COMMANDS) <= set(listed)


def test_an_unknown_command_is_a_usage_error():
    result = CliRunner().invoke(cli, ["nope"])
    assert result.exit_code == 2
    assert "No such command 'nope'" in result.output


def test_ctl_carries_the_commands_of_its_other_modules():
    ctl = cli.get_command(None, "ctl")
    assert {"tokens", "silences", "notify", "users"} <= set(ctl.commands)
    assert "silence" in ctl.commands["alerts"].commands
    assert {"list", "test"} <= set(ctl.commands["rules"].commands)


def test_tsdb_exports_its_classes_on_first_use_and_nothing_else():
    assert hub.tsdb.TSDB.__name__ == "TSDB"
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = hub.tsdb.nope
