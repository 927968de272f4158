"""Time-series storage: write samples, read the latest values and ranges, prune old history."""

from hub.tsdb.db import TSDB, SeriesRange

__all__ = ["TSDB", "SeriesRange"]
