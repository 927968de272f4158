"""The version is written once (hub/__init__.py) and read everywhere else."""

import importlib.metadata
import tomllib
from pathlib import Path

from click.testing import CliRunner

from hub import __version__
from hub.cli import cli

ROOT = Path(__file__).resolve().parents[3]


def test_version_flag_prints_the_package_version():
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"tcf-hub, version {__version__}"


def test_installed_metadata_carries_the_same_version():
    assert importlib.metadata.version("tcf-hub") == __version__


def test_pyproject_reads_the_version_from_the_package():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"]
    assert "version" in project["project"]["dynamic"]
    assert project["tool"]["hatch"]["version"]["path"] == "hub/__init__.py"
