"""``tcf-hub db backup`` while a real hub writes, and ``db restore`` once it has stopped."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from hub.cli import cli
from hub.store.backup import BackupError, check_integrity, sqlite_path
from tests.helpers import hub_settings, serve_hub


def tcf_hub(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def samples(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM samples").fetchone()[0])


def test_backup_while_running_then_restore_once_stopped(tmp_path):
    backup_file = tmp_path / "backup.db"
    settings = hub_settings(tmp_path, "collection:\n  interval: 1\n", "alerts: {}\n")
    db = settings.data_dir / "hub.db"
    where = ["--config", str(tmp_path / "config"), "--data-dir", str(settings.data_dir)]
    with serve_hub(settings):
        deadline = time.monotonic() + 30
        while samples(db) < 20:  # the hub is writing
            assert time.monotonic() < deadline
            time.sleep(0.2)
        made = tcf_hub("db", "backup", str(backup_file), *where)
        assert made.exit_code == 0, made.output
        assert "integrity checked" in made.output
        check_integrity(backup_file)
        backed_up = samples(backup_file)
        assert backed_up >= 20

        refused = tcf_hub("db", "restore", str(backup_file), *where)
        assert refused.exit_code == 1
        assert "a hub is running on" in refused.output
        while samples(db) <= backed_up:  # more collections, which the restore will undo
            assert time.monotonic() < deadline
            time.sleep(0.2)

    restored = tcf_hub("db", "restore", str(backup_file), *where)
    assert restored.exit_code == 0, restored.output
    assert samples(db) == backed_up
    assert (settings.data_dir / "hub.db.before-restore").is_file()
    with serve_hub(settings) as running, running.api() as api:  # the restored store serves
        assert api.get("/api/v1/metrics/current").status_code == 200
    assert samples(db) >= backed_up


def test_restore_refuses_a_damaged_or_foreign_file_and_changes_nothing(tmp_path):
    data = tmp_path / "data"
    where = ["--config", str(tmp_path), "--data-dir", str(data)]
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100 + b"not really" * 500)
    result = tcf_hub("db", "restore", str(garbage), *where)
    assert result.exit_code == 1
    assert "garbage.db" in result.output
    foreign = tmp_path / "foreign.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE t (x)")
    result = tcf_hub("db", "restore", str(foreign), *where)
    assert result.exit_code == 1
    assert "not a tcf-hub store" in result.output
    assert not (data / "hub.db").exists()


def test_backup_of_a_missing_store_or_postgres_says_what_to_do(tmp_path):
    result = tcf_hub("db", "backup", str(tmp_path / "b.db"), "--data-dir", str(tmp_path / "d"))
    assert result.exit_code == 1
    assert "no store there yet" in result.output
    with pytest.raises(BackupError, match="back up PostgreSQL with pg_dump"):
        sqlite_path("postgresql://hub@localhost/hub")
    assert sqlite_path("sqlite+aiosqlite:////var/lib/x/hub.db") == Path("/var/lib/x/hub.db")
