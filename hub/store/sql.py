"""INSERT statements both backends understand (SQLite and PostgreSQL share ON CONFLICT)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

if TYPE_CHECKING:
    from sqlalchemy.dialects import postgresql


def _insert(conn: AsyncConnection, table: sa.Table) -> sqlite.Insert | postgresql.Insert:
    if conn.dialect.name == "sqlite":
        return sqlite.insert(table)
    # Imported here: the PostgreSQL dialect is 4 MB of RSS a hub on SQLite never needs.
    from sqlalchemy.dialects import postgresql

    return postgresql.insert(table)


def insert_or_ignore(conn: AsyncConnection, table: sa.Table) -> sa.Insert:
    """An INSERT that skips rows whose key exists."""
    return _insert(conn, table).on_conflict_do_nothing()


def upsert(conn: AsyncConnection, table: sa.Table, keys: Sequence[str]) -> sa.Insert:
    """An INSERT that overwrites the row with the same ``keys``."""
    insert = _insert(conn, table)
    return insert.on_conflict_do_update(
        index_elements=list(keys),
        set_={c.name: insert.excluded[c.name] for c in table.columns if c.name not in keys},
    )
