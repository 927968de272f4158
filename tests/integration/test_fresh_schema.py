"""A fresh store is created from the table definitions and stamped with the head revision,
without Alembic (``create_newest``): its schema must be the one the whole migration chain
builds, on every backend, or a store created this way would drift from a migrated one."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from hub.store.migrate import (
    create_newest,
    head_revision,
    migrations_dir,
    sync_url,
    upgrade,
)
from tests.backends import backend_url


@pytest.fixture(params=["sqlite", "postgresql"])
def two_stores(request, tmp_path) -> Iterator[tuple[str, str]]:
    """Two empty stores on one backend."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with contextlib.ExitStack() as stack:
        yield (
            stack.enter_context(backend_url(request.param, tmp_path / "a")),
            stack.enter_context(backend_url(request.param, tmp_path / "b")),
        )


def _sorted(items: list[dict[str, Any]], *keys: str) -> list[tuple[Any, ...]]:
    return sorted(tuple(repr(item.get(key)) for key in keys) for item in items)


def describe(url: str) -> dict[str, Any]:
    """Everything SQLAlchemy reflects of the store's schema (and, on SQLite, every object in
    sqlite_master with the SQL of its explicit indexes), plus its revision."""
    engine = sa.create_engine(sync_url(url))
    try:
        with engine.connect() as conn:
            inspector = sa.inspect(conn)
            tables: dict[str, Any] = {}
            for table in sorted(inspector.get_table_names()):
                tables[table] = {
                    "columns": [
                        (c["name"], str(c["type"]), c["nullable"], c.get("default"))
                        for c in inspector.get_columns(table)
                    ],
                    "primary key": inspector.get_pk_constraint(table),
                    "foreign keys": _sorted(
                        inspector.get_foreign_keys(table),
                        *("name", "constrained_columns", "referred_table"),
                        *("referred_columns", "options"),
                    ),
                    "indexes": _sorted(
                        inspector.get_indexes(table), "name", "column_names", "unique"
                    ),
                    "unique": _sorted(
                        inspector.get_unique_constraints(table), "name", "column_names"
                    ),
                    "checks": _sorted(inspector.get_check_constraints(table), "name", "sqltext"),
                }
            schema: dict[str, Any] = {"tables": tables}
            if conn.dialect.name == "sqlite":
                rows = conn.execute(sa.text("SELECT type, name, tbl_name, sql FROM sqlite_master"))
                schema["sqlite_master"] = sorted(
                    (kind, name, table, sql if kind == "index" else None)
                    for kind, name, table, sql in rows
                )
            schema["revision"] = conn.execute(
                sa.text("SELECT version_num FROM alembic_version")
            ).scalar_one()
        return schema
    finally:
        engine.dispose()


def test_a_created_store_has_the_schema_of_the_whole_migration_chain(two_stores):
    migrated, created = two_stores
    upgrade(migrated)
    assert create_newest(created) is True
    expected, got = describe(migrated), describe(created)
    assert got["revision"] == expected["revision"] == head_revision()
    assert got["tables"].keys() == expected["tables"].keys()
    for table in expected["tables"]:
        assert got["tables"][table] == expected["tables"][table], table
    assert got == expected


def test_the_comparison_sees_a_missing_index(two_stores):
    first, second = two_stores
    create_newest(first)
    create_newest(second)
    engine = sa.create_engine(sync_url(second))
    with engine.begin() as conn:
        conn.execute(sa.text("DROP INDEX ix_alerts_state"))
    engine.dispose()
    assert describe(first) != describe(second)


def test_a_store_with_tables_is_left_to_alembic(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    upgrade(url, "0001")
    before = describe(url)
    assert create_newest(url) is False
    assert describe(url) == before


DATA_STEPS = re.compile(r"op\.execute|bulk_insert|\.insert\(|\.update\(|\.delete\(|sa\.text\(")


def test_migrations_change_the_schema_only():
    """create_newest replays no migration step, so a step that writes rows (default data, a
    backfill) would be missing from fresh stores: such a step must be added there too."""
    for script in sorted((migrations_dir() / "versions").glob("*.py")):
        text = script.read_text(encoding="utf-8")
        if re.search(r'^COPIES_ROWS_ONLY = "[^"]+"', text, re.M):
            continue  # a table rebuilt: existing rows copied, none made (the reason is given)
        upgrade_part = text.split("def downgrade", 1)[0]
        assert not DATA_STEPS.search(upgrade_part), f"{script.name} writes data"
