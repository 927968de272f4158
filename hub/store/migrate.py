"""Applying the Alembic migrations at start (and from ``tcf-hub db upgrade``).

The hub checks the store's revision itself and runs Alembic only when the store is behind —
in a child process (``upgrade_out_of_process``), because Alembic and its templates would
otherwise stay in the long-running hub's memory (about 14 MB of its 90 MB budget). An empty
database gets the newest schema straight from ``hub.store.tables``, stamped with the head
revision (``create_newest``), without Alembic or a child: a test proves that schema equal to the
one the whole migration chain builds, on SQLite and PostgreSQL, and another that no migration
writes rows (a migration that must, say to seed defaults, has to do the same here).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

_REVISION = re.compile(r"""^revision = ['"]([^'"]+)['"]""", re.M)
_DOWN = re.compile(r"""^down_revision = (?:['"]([^'"]+)['"]|None)""", re.M)


DATABASE_URL_ENV = "TCF_HUB_DATABASE_URL"
"""Environment variable ``tcf-hub db upgrade`` reads the store's URL from."""

CHILD_COMMAND = "_migrate-store"
"""First argument of ``python -m hub`` (or the binary) that runs the migration child
(``child_main``) instead of the CLI: Alembic and the store only, without the CLI's imports
(click, rich, the settings and channel stack), which cost the child about 0.6 s of CPU."""


class MigrationError(RuntimeError):
    """The store could not be migrated; the message carries Alembic's own words."""


def migrations_dir() -> Path:
    """The Alembic scripts: packaged inside the wheel/binary, or at the repository root."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "_migrations", package.parent / "migrations"):
        if (candidate / "env.py").is_file():
            return candidate
    raise FileNotFoundError("Alembic migrations not found next to the hub package")


def sync_url(url: str) -> str:
    """The blocking-driver twin of an async URL, for Alembic (psycopg serves both modes)."""
    return normalize_url(url).replace("+aiosqlite", "")


def normalize_url(url: str) -> str:
    """``postgres://`` and ``postgresql://`` mean PostgreSQL through psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def head_revision() -> str:
    """The newest migration's revision, read from the scripts (without importing Alembic)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (migrations_dir() / "versions").glob("*.py"):
        text = script.read_text(encoding="utf-8")
        found = _REVISION.search(text)
        if found:
            revisions.add(found[1])
            down = _DOWN.search(text)
            if down and down[1]:
                parents.add(down[1])
    heads = revisions - parents
    if len(heads) != 1:
        raise MigrationError(f"expected one head revision, found {sorted(heads)}")
    return heads.pop()


def current_revision(url: str) -> str | None:
    """The revision the store at ``url`` is at (None: not migrated yet)."""
    engine = sa.create_engine(sync_url(url))
    try:
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table("alembic_version"):
                return None
            return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()


VERSION_TABLE = "alembic_version"
"""Where Alembic keeps a store's revision (``create_newest`` writes the same table)."""


def create_newest(url: str) -> bool:
    """Give an empty database the newest schema (the tables of ``hub.store.tables``) and stamp
    it with the head revision, as Alembic's ``upgrade head`` would, in one transaction; returns
    False, changing nothing, when the database already has a table (blocking)."""
    from hub.store.tables import metadata

    head = head_revision()
    version = sa.Table(  # Alembic's own version table, constraint name included
        VERSION_TABLE,
        sa.MetaData(),
        sa.Column("version_num", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("version_num", name="alembic_version_pkc"),
    )
    engine = sa.create_engine(sync_url(url))
    try:
        with engine.begin() as conn:
            if sa.inspect(conn).get_table_names():
                return False
            metadata.create_all(conn)
            version.create(conn)
            conn.execute(version.insert().values(version_num=head))
        return True
    finally:
        engine.dispose()


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` to ``revision`` in this process (blocking)."""
    from alembic import command  # heavy: imported only when migrating
    from alembic.config import Config

    engine = sa.create_engine(sync_url(url))
    try:
        with engine.begin() as conn:
            config = Config()
            config.set_main_option("script_location", str(migrations_dir()))
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
    finally:
        engine.dispose()


def upgrade_out_of_process(url: str) -> bool:
    """Bring the store to the newest revision: an empty one is created in this process
    (``create_newest``), one that is behind is migrated by Alembic in a child process; returns
    whether it changed (blocking).

    Raises:
        MigrationError: the child failed; its output says why.
    """
    return start_upgrade(url)(url)


class _Started:
    """A migration child already running; calling it waits for the child (``migrate``)."""

    def __init__(self, url: str, child: subprocess.Popen[str]) -> None:
        self._url = url
        self._child = child

    def __call__(self, url: str) -> bool:
        if url != self._url:  # not the store it was started for: migrate that one now
            return upgrade_out_of_process(url)
        out, err = self._child.communicate()
        if self._child.returncode != 0:
            raise MigrationError(f"migrating the store failed: {err.strip() or out}")
        return True


def start_upgrade(url: str) -> Callable[[str], bool]:
    """Start the migration child for the store at ``url`` if it is behind, without waiting;
    the returned ``migrate`` waits for it (or does nothing when the store is up to date).

    An empty store is created at once, in this process (``create_newest``): no child. ``tcf-hub
    serve`` calls this before importing the rest of the server stack, so that when the store is
    behind, the child (a second interpreter start) runs beside those imports.

    Raises:
        MigrationError: the store cannot be read, or an empty one cannot be created.
    """
    try:
        current = current_revision(url)
    except sa.exc.DBAPIError as error:
        raise MigrationError(f"cannot read the store: {error.orig}") from error
    if current == head_revision():
        return lambda _url: False
    if current is None:
        try:
            created = create_newest(url)
        except sa.exc.DBAPIError as error:
            raise MigrationError(f"cannot create the store: {error.orig}") from error
        if created:
            return lambda other: other == url or upgrade_out_of_process(other)
    if getattr(sys, "frozen", False):  # the one-file binary runs its own entry point
        command = [sys.executable, CHILD_COMMAND]
    else:
        command = [sys.executable, "-m", "hub", CHILD_COMMAND]
    # The URL (it may hold a password) goes through the environment, not the command line that
    # any local user can read in ps.
    child_env = {**os.environ, DATABASE_URL_ENV: url}
    child = subprocess.Popen(  # noqa: S603
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=child_env,
    )
    return _Started(url, child)


def child_main() -> None:
    """The migration child: bring the store named by ``TCF_HUB_DATABASE_URL`` to the newest
    revision; a failure ends it with Alembic's traceback on stderr and a non-zero status."""
    upgrade(os.environ[DATABASE_URL_ENV])
