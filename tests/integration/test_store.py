"""The store: Alembic migrations match the models; SQLite runs with WAL and foreign keys."""

import sqlite3

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from hub.store import open_store, upgrade
from hub.store.tables import metadata


def test_migrations_produce_exactly_the_tables_the_models_describe(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    upgrade(url)
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'hub.db'}")
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), metadata
        )
    engine.dispose()
    assert diff == []


def test_upgrade_is_idempotent(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    upgrade(url)
    upgrade(url)
    with sqlite3.connect(tmp_path / "hub.db") as conn:
        (version,) = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    assert version == "0003"


async def test_connections_use_wal_normal_sync_and_foreign_keys(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    upgrade(url)
    store = open_store(url)
    try:
        async with store.engine.connect() as conn:
            mode = (await conn.execute(sa.text("PRAGMA journal_mode"))).scalar()
            sync = (await conn.execute(sa.text("PRAGMA synchronous"))).scalar()
            fks = (await conn.execute(sa.text("PRAGMA foreign_keys"))).scalar()
        await store.ping()
    finally:
        await store.close()
    assert (mode, sync, fks) == ("wal", 1, 1)
