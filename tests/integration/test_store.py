"""The store: Alembic migrations match the models; SQLite runs with WAL and foreign keys."""

import sqlite3

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from hub.store import open_store, upgrade
from hub.store.migrate import head_revision, normalize_url, sync_url
from hub.store.tables import metadata


def test_migrations_produce_exactly_the_tables_the_models_describe(store_url):
    upgrade(store_url)
    engine = sa.create_engine(sync_url(store_url))
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
    assert version == head_revision()


async def test_connections_use_wal_normal_sync_foreign_keys_and_fast_secure_delete(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    upgrade(url)
    store = open_store(url)
    try:
        async with store.engine.connect() as conn:
            mode = (await conn.execute(sa.text("PRAGMA journal_mode"))).scalar()
            sync = (await conn.execute(sa.text("PRAGMA synchronous"))).scalar()
            fks = (await conn.execute(sa.text("PRAGMA foreign_keys"))).scalar()
            secure_delete = (await conn.execute(sa.text("PRAGMA secure_delete"))).scalar()
    finally:
        await store.close()
    assert (mode, sync, fks, secure_delete) == ("wal", 1, 1, 2)  # 2: FAST


def test_postgres_urls_use_psycopg_for_both_async_and_migrations():
    assert normalize_url("postgres://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    assert normalize_url("postgresql://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    assert sync_url("postgresql://h/db") == "postgresql+psycopg://h/db"
    assert sync_url("sqlite+aiosqlite:///x.db") == "sqlite:///x.db"


async def test_work_left_uncommitted_is_undone_before_the_connection_is_used_again(tmp_path):
    """SQLite connections go back to the pool without SQLAlchemy's extra rollback: a failed
    transaction and a connection closed without committing must still leave nothing behind
    (and hold no write lock: the next writer is not kept waiting)."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    upgrade(url)
    store = open_store(url)
    insert = sa.text("INSERT INTO hub_meta (key, value) VALUES (:key, 'x')")
    try:
        try:
            async with store.tx() as tx:
                await tx.meta.set("failed", "yes")
                raise RuntimeError("the transaction fails")
        except RuntimeError:
            pass
        async with store.engine.connect() as conn:
            await conn.execute(insert, {"key": "never-committed"})
        async with store.tx() as tx:
            await tx.meta.set("after", "yes")
        with sqlite3.connect(tmp_path / "hub.db") as check:
            keys = {k for (k,) in check.execute("SELECT key FROM hub_meta")}
    finally:
        await store.engine.dispose()
    assert "after" in keys
    assert not keys & {"failed", "never-committed"}
