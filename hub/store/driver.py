"""Plain SQL straight to the database driver, for the hot paths (chart reads, the head,
compaction).

On SQLite each statement goes to aiosqlite's connection in one hop to its thread
(``execute_fetchall``, ``execute``, ``executemany``): SQLAlchemy's adapter takes four (cursor,
execute, fetch, close), and with its result handling a trivial SELECT cost 400-530 µs of CPU
against 80-90 µs this way (measured in one run, tests/bench/queries.py). The statements run on
the transaction's own connection, so they commit or roll back with it. Other databases go
through SQLAlchemy's ``exec_driver_sql`` with the driver's placeholder style.

Only placeholders are ever formatted into the SQL (``placeholders``): values are parameters.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncConnection

Row = tuple[Any, ...]


def driver_sql(conn: AsyncConnection, sql: str) -> str:
    """``sql`` written with ``?`` placeholders, in the driver's own placeholder style."""
    return sql if conn.dialect.name == "sqlite" else sql.replace("?", "%s")


def placeholders(count: int) -> str:
    """``?, ?, …`` for an ``IN`` list of ``count`` values."""
    return ", ".join("?" * count)


async def _sqlite(conn: AsyncConnection) -> Any | None:
    """The aiosqlite connection under ``conn``, or None on another database."""
    if conn.dialect.name != "sqlite":
        return None
    raw = await conn.get_raw_connection()
    return raw.driver_connection


async def fetch_all(conn: AsyncConnection, sql: str, params: Sequence[Any] = ()) -> list[Row]:
    """The rows ``sql`` (with ``?`` placeholders) selects."""
    sqlite = await _sqlite(conn)
    if sqlite is not None:
        return cast(list[Row], await sqlite.execute_fetchall(sql, params))
    return list((await conn.exec_driver_sql(driver_sql(conn, sql), tuple(params))).all())


async def execute(conn: AsyncConnection, sql: str, params: Sequence[Any] = ()) -> None:
    """Run one statement (``?`` placeholders) for its effect."""
    sqlite = await _sqlite(conn)
    if sqlite is not None:
        await sqlite.execute(sql, params)
    else:
        await conn.exec_driver_sql(driver_sql(conn, sql), tuple(params))


async def execute_many(conn: AsyncConnection, sql: str, rows: Sequence[Sequence[Any]]) -> None:
    """Run one statement (``?`` placeholders) once per row of parameters (at least one)."""
    sqlite = await _sqlite(conn)
    if sqlite is not None:
        await sqlite.executemany(sql, rows)
    else:
        await conn.exec_driver_sql(driver_sql(conn, sql), list(map(tuple, rows)))
