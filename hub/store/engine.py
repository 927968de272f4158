"""Opening the store: engine with SQLite pragmas, and transactions that expose repositories."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from hub.store.chunks import ChunkRepo, RollupRepo, StorageStats, sqlite_pages, storage_stats
from hub.store.heartbeats import HeartbeatRepo
from hub.store.migrate import normalize_url
from hub.store.notify import MetaRepo, NotifyStateRepo, RuleRepo, SilenceRepo
from hub.store.push import PushRepo
from hub.store.repos import AlertRepo, AuthRepo, OutboxRepo, SampleRepo
from hub.store.tokens import TokenRepo
from hub.store.users import UserRepo

_PG_HISTORY_BYTES = """
SELECT (SELECT coalesce(sum(pg_column_size(data) + 40), 0) FROM chunks)
     + (SELECT coalesce(sum(pg_column_size(data) + 40), 0) FROM rollups)
     + (SELECT count(*) * 56 FROM samples)
"""
"""The stored history's bytes on PostgreSQL: chunk and rollup blobs as stored (compressed or
not) and the head's rows, each row with its own cost (40 B: tuple header, line pointer, keys;
a head row adds its time and value)."""


class StoreBusyError(RuntimeError):
    """The store could not be written now (another writer held it too long); nothing was
    changed, and the same request will succeed a moment later."""


class StoreWriteError(RuntimeError):
    """The store could not write: the disk is full (SQLITE_FULL), read-only or failing.
    Nothing of the transaction was kept; it may succeed once the cause is gone."""


class Tx:
    """Repositories bound to one connection; everything in a ``Store.tx()`` commits at once."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.samples = SampleRepo(conn)
        self.chunks = ChunkRepo(conn)
        self.rollups = RollupRepo(conn)
        self.alerts = AlertRepo(conn)
        self.outbox = OutboxRepo(conn)
        self.auth = AuthRepo(conn)
        self.tokens = TokenRepo(conn)
        self.heartbeats = HeartbeatRepo(conn)
        self.notify_state = NotifyStateRepo(conn)
        self.silences = SilenceRepo(conn)
        self.meta = MetaRepo(conn)
        self.push = PushRepo(conn)
        self.users = UserRepo(conn)
        self.rules = RuleRepo(conn)


class Store:
    """The hub's database; open with ``open_store`` and close with ``close``."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    @asynccontextmanager
    async def tx(self) -> AsyncIterator[Tx]:
        """A transaction: committed when the block ends, rolled back if it raises.

        Raises:
            StoreBusyError: the store stayed locked by another writer past the busy timeout.
            StoreWriteError: any other operational failure, such as a full disk.
        """
        try:
            async with self.engine.begin() as conn:
                yield Tx(conn)
        except (sa.exc.OperationalError, sqlite3.OperationalError) as error:
            # hot paths (driver.py) reach aiosqlite directly: its errors come unwrapped
            reason = error.orig if isinstance(error, sa.exc.OperationalError) else error
            if "database is locked" in str(reason):
                raise StoreBusyError("the store is busy; try again in a moment") from error
            raise StoreWriteError(f"the store cannot write: {reason}") from error

    async def stats(self) -> StorageStats:
        """Counts and sizes of the stored history."""
        async with self.engine.connect() as conn:
            return await storage_stats(conn)

    async def used_bytes(self) -> int | None:
        """Bytes the data takes: of the SQLite file, its pages in use; on PostgreSQL, which
        reuses freed space itself rather than shrinking its files, the stored history's rows
        (so ``retention.max_disk`` sees what dropping a block gives back)."""
        async with self.engine.connect() as conn:
            if self.engine.dialect.name == "postgresql":
                return int((await conn.execute(sa.text(_PG_HISTORY_BYTES))).scalar_one())
            if self.engine.dialect.name != "sqlite":
                return None
            pages, free, size = await sqlite_pages(conn)
        return (pages - free) * size

    async def size_bytes(self) -> int | None:
        """Size of the SQLite file (free pages included, the WAL not), or of the PostgreSQL
        database."""
        async with self.engine.connect() as conn:
            if self.engine.dialect.name == "postgresql":
                query = sa.text("SELECT pg_database_size(current_database())")
                return int((await conn.execute(query)).scalar_one())
            if self.engine.dialect.name != "sqlite":
                return None
            pages, _free, size = await sqlite_pages(conn)
        return pages * size

    async def reclaim(self, min_free_fraction: float = 0.2) -> int:
        """Give free pages back to the file system once they are a large part of the file
        (VACUUM rewrites the file, so it is worth its writes only then); returns bytes freed.
        """
        if self.engine.dialect.name != "sqlite":
            return 0
        # VACUUM cannot run inside a transaction: this connection runs in autocommit mode.
        async with self.engine.connect() as plain:
            conn = await plain.execution_options(isolation_level="AUTOCOMMIT")
            pages, free, size = await sqlite_pages(conn)
            if pages == 0 or free / pages < min_free_fraction:
                return 0
            await conn.execute(sa.text("VACUUM"))
            await conn.execute(sa.text("PRAGMA wal_checkpoint(TRUNCATE)"))
        return free * size

    async def close(self) -> None:
        """Release all connections."""
        await self.engine.dispose()


def open_store(url: str) -> Store:
    """An engine for ``url``; SQLite gets WAL, ``synchronous=NORMAL`` and foreign keys.

    On SQLite a connection going back to the pool is not rolled back again: every transaction
    was already committed or rolled back by ``Store.tx`` or by closing its connection, so that
    rollback did nothing but cost a hop to aiosqlite's thread after each transaction (about a
    quarter of an idle hub's statements). PostgreSQL keeps SQLAlchemy's reset, which also
    clears session state there (https://docs.sqlalchemy.org/en/20/core/pooling.html#reset-on-return).
    """
    parsed = sa.engine.make_url(normalize_url(url))
    sqlite = parsed.get_backend_name() == "sqlite"
    engine = create_async_engine(parsed, **({"pool_reset_on_return": None} if sqlite else {}))
    if sqlite:
        sa.event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return Store(engine)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    # WAL lets the dashboard read while collectors write; NORMAL is durable across app
    # crashes in WAL mode (https://www.sqlite.org/pragma.html#pragma_synchronous).
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    # Debian builds SQLite with SECURE_DELETE on, which zeroes every page compaction frees from
    # the head and writes it again; FAST only zeroes what is written anyway
    # (https://www.sqlite.org/pragma.html#pragma_secure_delete).
    cursor.execute("PRAGMA secure_delete=FAST")
    cursor.close()
