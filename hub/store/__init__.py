"""The store: SQLAlchemy engine, tables, migrations and repositories — the only SQL in the hub."""

from hub.store.engine import Store, StoreBusyError, open_store
from hub.store.migrate import upgrade

__all__ = ["Store", "StoreBusyError", "open_store", "upgrade"]
