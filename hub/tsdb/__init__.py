"""Time-series storage: write samples, read the latest values and ranges, prune old history."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hub.tsdb.db import TSDB, SeriesRange

__all__ = ["TSDB", "SeriesRange"]


def __getattr__(name: str) -> Any:
    """``TSDB`` and ``SeriesRange`` are imported on first use: the pure submodules (selectors,
    codecs) are imported by config parsing and ``tcf-hub ctl``, which need no SQLAlchemy."""
    if name in __all__:
        from hub.tsdb import db

        return getattr(db, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
