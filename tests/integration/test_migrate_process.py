"""The hub migrates its store in a child process, so Alembic never stays in its memory; an empty
store is created in the hub's own process, without Alembic."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from hub.cli import cli
from hub.cli.serve import _start_migration
from hub.store.migrate import (
    CHILD_COMMAND,
    DATABASE_URL_ENV,
    MigrationError,
    current_revision,
    head_revision,
    migrations_dir,
    start_upgrade,
    upgrade,
    upgrade_out_of_process,
)
from tests.helpers import hub_settings

PROBE = """
import sys
from hub.store.migrate import upgrade_out_of_process
print(upgrade_out_of_process(sys.argv[1]), upgrade_out_of_process(sys.argv[1]))
print('alembic' in sys.modules)
"""


def test_a_fresh_store_is_created_without_alembic(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    done = subprocess.run(
        [sys.executable, "-c", PROBE, url], capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["True", "False", "False"]
    assert current_revision(url) == head_revision()


def test_a_failed_migration_says_why(tmp_path):
    (tmp_path / "hub.db").write_text("this is not a database")
    with pytest.raises(MigrationError, match="file is not a database"):
        upgrade_out_of_process(f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}")


def test_a_migration_failing_in_the_child_says_why(tmp_path):
    path = tmp_path / "hub.db"
    with sqlite3.connect(path) as conn:  # a store from a future version
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
        conn.execute("INSERT INTO alembic_version VALUES ('9999')")
    with pytest.raises(MigrationError, match=r"migrating the store failed: (?s:.*)9999"):
        upgrade_out_of_process(f"sqlite+aiosqlite:///{path}")


def test_the_head_revision_is_alembics_own():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    assert head_revision() == ScriptDirectory.from_config(config).get_current_head()


def test_db_upgrade_reads_the_url_from_the_environment(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    done = CliRunner().invoke(cli, ["db", "upgrade"], env={DATABASE_URL_ENV: url})
    assert done.exit_code == 0, done.output
    assert current_revision(url) == head_revision()


def test_db_upgrade_command_reports_the_revision(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    first = CliRunner().invoke(cli, ["db", "upgrade", "--url", url])
    assert first.exit_code == 0, first.output
    assert f"store at revision {head_revision()} (was empty)" in first.output
    again = CliRunner().invoke(cli, ["db", "upgrade", "--url", url])
    assert again.output.strip() == f"store at revision {head_revision()}"


def test_db_upgrade_creates_the_store_in_a_data_dir_that_does_not_exist_yet(tmp_path):
    data = tmp_path / "fresh" / "data"
    done = CliRunner().invoke(
        cli, ["db", "upgrade", "--config", str(tmp_path / "none"), "--data-dir", str(data)]
    )
    assert done.exit_code == 0, done.output
    assert f"store at revision {head_revision()} (was empty)" in done.output
    assert data.stat().st_mode & 0o777 == 0o700
    assert current_revision(f"sqlite+aiosqlite:///{data / 'hub.db'}") == head_revision()


CHILD_PROBE = """
import runpy, sys
sys.argv = ["hub", sys.argv[1]]
runpy.run_module("hub", run_name="__main__")
print(sorted(name for name in ("click", "rich", "hub.cli", "hub.settings") if name in sys.modules))
"""


def test_the_migration_child_skips_the_command_lines_imports(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    done = subprocess.run(
        [sys.executable, "-c", CHILD_PROBE, CHILD_COMMAND],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, DATABASE_URL_ENV: url},
    )
    assert done.stdout.strip() == "[]"
    assert current_revision(url) == head_revision()


def test_a_started_migration_is_waited_for_by_its_migrate(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    upgrade(url, "0001")  # behind: Alembic's child brings it to the head
    migrate = start_upgrade(url)
    assert migrate(url) is True
    assert current_revision(url) == head_revision()
    assert start_upgrade(url)(url) is False  # up to date: no child


@pytest.mark.parametrize("first_revision", [None, "0001"])
def test_a_started_migration_asked_for_another_store_migrates_that_one(tmp_path, first_revision):
    first, second = (f"sqlite+aiosqlite:///{tmp_path / name}" for name in ("a.db", "b.db"))
    if first_revision:
        upgrade(first, first_revision)
    migrate = start_upgrade(first)
    assert migrate(second) is True
    assert current_revision(second) == head_revision()
    assert migrate(first) is True
    assert current_revision(first) == head_revision()


def test_serve_starts_the_migration_early_and_leaves_an_unreadable_store_to_the_lifespan(tmp_path):
    settings = hub_settings(tmp_path)
    migrate = _start_migration(settings)
    assert migrate is not upgrade_out_of_process
    assert current_revision(settings.database_url) == head_revision()  # created at once
    assert migrate(settings.database_url) is True
    (settings.data_dir / "hub.db").write_text("this is not a database")
    assert _start_migration(settings) is upgrade_out_of_process


def test_a_store_that_cannot_be_created_says_why(tmp_path, monkeypatch):
    url = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"

    def refuse(_url):
        raise sa.exc.OperationalError("CREATE TABLE", {}, sqlite3.OperationalError("disk full"))

    monkeypatch.setattr("hub.store.migrate.create_newest", refuse)
    with pytest.raises(MigrationError, match="cannot create the store: disk full"):
        start_upgrade(url)
