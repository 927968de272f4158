"""Backup and restore refusals and edge cases, on real SQLite files."""

from __future__ import annotations

import sqlite3

import pytest

from hub.store import upgrade
from hub.store.backup import BackupError, backup, check_integrity, hold_data_dir, restore


@pytest.fixture
def store(tmp_path):
    db = tmp_path / "data" / "hub.db"
    db.parent.mkdir()
    url = f"sqlite+aiosqlite:///{db}"
    upgrade(url)
    return url, db


def test_a_backup_never_overwrites_the_store_itself(store):
    url, db = store
    with pytest.raises(BackupError, match="cannot overwrite the store itself"):
        backup(url, db)


def test_a_backup_into_a_missing_folder_fails_cleanly(store, tmp_path):
    url, _ = store
    with pytest.raises(BackupError, match="backup failed"):
        backup(url, tmp_path / "nowhere" / "b.db")
    assert not (tmp_path / "nowhere").exists()


def test_restore_into_an_empty_data_dir_keeps_nothing_and_the_store_opens(store, tmp_path):
    url, _ = store
    copy = tmp_path / "copy.db"
    assert backup(url, copy) == copy.stat().st_size
    fresh = tmp_path / "fresh"
    target = f"sqlite+aiosqlite:///{fresh / 'hub.db'}"
    assert restore(copy, target, fresh) is None
    check_integrity(fresh / "hub.db")
    with sqlite3.connect(fresh / "hub.db") as conn:
        assert conn.execute("SELECT count(*) FROM alembic_version").fetchone()[0] == 1


def test_restore_waits_for_nobody_and_says_a_hub_runs(store, tmp_path):
    url, db = store
    copy = tmp_path / "copy.db"
    backup(url, copy)
    with hold_data_dir(db.parent, wait=True) as held:
        assert held
        with pytest.raises(BackupError, match="a hub is running on"):
            restore(copy, url, db.parent)


def test_integrity_check_names_a_missing_file(tmp_path):
    with pytest.raises(BackupError, match="no such file"):
        check_integrity(tmp_path / "gone.db")


async def test_a_second_hub_on_a_held_data_dir_starts_and_warns(make_hub, tmp_path, caplog):
    from litestar.testing import AsyncTestClient

    app = make_hub()
    data_dir = tmp_path / "data"  # where make_hub's settings put it
    with hold_data_dir(data_dir, wait=True), caplog.at_level("WARNING", logger="hub"):
        async with AsyncTestClient(app=app) as client:
            assert (await client.get("/healthz")).status_code == 200
    assert f"another hub holds {data_dir}: two hubs on one store" in caplog.text
