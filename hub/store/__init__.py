"""The store: SQLAlchemy engine, tables, migrations and repositories — the only SQL in the hub."""

from hub.store.engine import Store, StoreBusyError, StoreWriteError, open_store
from hub.store.migrate import upgrade

__all__ = ["Store", "StoreBusyError", "StoreWriteError", "open_store", "upgrade"]
