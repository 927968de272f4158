"""The store: SQLAlchemy engine, tables, migrations and repositories — the only SQL in the hub."""

from hub.store.engine import Store, open_store
from hub.store.migrate import upgrade

__all__ = ["Store", "open_store", "upgrade"]
