"""Online backup and offline restore of the SQLite store (stdlib ``sqlite3`` backup API)."""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from hub.store.migrate import normalize_url

LOCK_NAME = "hub.lock"
"""File in the data dir that a running hub holds a lock on (``hold_data_dir``)."""


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and nothing changed."""


def sqlite_path(url: str) -> Path:
    """The database file of a SQLite store URL.

    Raises:
        BackupError: the store is not SQLite (PostgreSQL is backed up with pg_dump).
    """
    url = normalize_url(url)
    scheme, _, rest = url.partition("://")
    if not scheme.startswith("sqlite") or not rest.startswith("/") or rest in ("/", "/:memory:"):
        raise BackupError(
            "the store is not a SQLite file: back up PostgreSQL with pg_dump "
            "and restore it with pg_restore"
        )
    return Path(rest[1:].split("?", 1)[0])


def check_integrity(path: Path) -> None:
    """Raise ``BackupError`` unless ``path`` is an intact SQLite file holding a hub store."""
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            result = [row[0] for row in conn.execute("PRAGMA integrity_check")]
            if result != ["ok"]:
                raise BackupError(f"{path}: integrity check failed: {'; '.join(result[:5])}")
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path}: not a SQLite database ({error})") from error
    if not {"alembic_version", "series", "alerts", "outbox"} <= tables:
        raise BackupError(f"{path}: not a tcf-hub store (its tables are missing)")


def backup(url: str, target: Path) -> int:
    """Copy the store at ``url`` into ``target`` while the hub may be writing; returns bytes.

    SQLite's online backup API copies a consistent snapshot (WAL readers do not block the
    writer: https://www.sqlite.org/backup.html). The copy is written beside ``target`` and
    renamed only once complete and checked, so ``target`` is never a half-written file.
    """
    source = sqlite_path(url)
    if not source.is_file():
        raise BackupError(f"{source}: no store there yet")
    target = target.resolve()
    if target == source.resolve():
        raise BackupError("the backup cannot overwrite the store itself")
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        with (
            contextlib.closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src,
            contextlib.closing(sqlite3.connect(partial)) as dst,
        ):
            src.execute("PRAGMA busy_timeout=5000")
            src.backup(dst, pages=1024)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        _fsync(partial)
        check_integrity(partial)
        partial.replace(target)
    except (sqlite3.Error, OSError) as error:
        partial.unlink(missing_ok=True)
        raise BackupError(f"backup failed: {error}") from error
    except BackupError:
        partial.unlink(missing_ok=True)
        raise
    return target.stat().st_size


def restore(backup_file: Path, url: str, data_dir: Path) -> Path | None:
    """Replace the store at ``url`` with ``backup_file``; returns where the old store was kept.

    Refuses (``BackupError``) while a hub holds the data dir, or when the backup is not an
    intact hub store. The hub brings an older backup's schema up to date when it starts.
    """
    check_integrity(backup_file)
    target = sqlite_path(url)
    with hold_data_dir(data_dir, wait=False) as held:
        if not held:
            raise BackupError(
                f"a hub is running on {data_dir}: stop it first (the store cannot be replaced "
                "under it)"
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        incoming = target.with_name(f".{target.name}.restoring")
        try:
            with (
                contextlib.closing(sqlite3.connect(backup_file)) as src,
                contextlib.closing(sqlite3.connect(incoming)) as dst,
            ):
                src.backup(dst)
            _fsync(incoming)
        except (sqlite3.Error, OSError) as error:
            incoming.unlink(missing_ok=True)
            raise BackupError(f"restore failed: {error}") from error
        kept = None
        if target.exists():
            kept = target.with_name(f"{target.name}.before-restore")
            with contextlib.closing(sqlite3.connect(target)) as old:
                old.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the old WAL into its file
            target.replace(kept)
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        incoming.replace(target)
        return kept


@contextlib.contextmanager
def hold_data_dir(data_dir: Path, *, wait: bool) -> Iterator[bool]:
    """Hold the data dir's lock for the block: a running hub holds it, ``db restore`` needs it.
    The block gets whether the lock is held.

    The kernel drops the lock when the holder exits, even by kill -9, so it never goes stale.
    With ``wait`` false and the lock taken elsewhere, the block runs without it (False).
    """
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(data_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            held = True
        except BlockingIOError:
            held = False
        yield held
    finally:
        os.close(fd)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
