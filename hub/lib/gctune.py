"""Garbage-collector and allocator settings for the long-running hub process."""

from __future__ import annotations

import ctypes
import gc
import os

YOUNG_THRESHOLD = 50_000
"""Net container allocations between collections of the youngest generation (CPython: 700)."""


def tune_gc() -> None:
    """Collect the youngest generation every 50,000 net allocations instead of 700.

    A rule evaluation over 10k series allocates tens of thousands of short-lived tuples and
    dicts; with the default the collector ran 75 to 100 times an evaluation and was about half its
    CPU (``python -m tests.bench rules``: 172 → 82 ms median CPU per evaluation, same run). The
    hub makes few reference cycles, so garbage held in them only waits a little longer; the
    older generations keep their defaults.
    """
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)


ARENA_MAX = 2
"""glibc malloc arenas the hub may use (glibc's default: eight per core)."""
_M_ARENA_MAX = -8
"""``mallopt`` parameter number of ``M_ARENA_MAX`` (glibc's malloc.h)."""


def limit_malloc_arenas(arena_max: int = ARENA_MAX) -> bool:
    """Let glibc's malloc use at most ``arena_max`` arenas; returns whether it was set.

    Every aiosqlite connection and the thread pool run in threads of their own, and glibc
    gives contending threads separate arenas that keep freed memory; under load (50 dashboards,
    100 agents) that was 8 to 15 MB of the hub's RSS (``python -m tests.bench load``: 121 MB,
    peak 128, against 113 MB with two arenas, in back-to-back runs). Left alone when
    ``MALLOC_ARENA_MAX`` is set (glibc reads it itself) and where malloc is not glibc's.
    """
    if os.environ.get("MALLOC_ARENA_MAX"):
        return False
    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (musl, macOS)
        return False
    return bool(mallopt(_M_ARENA_MAX, arena_max))
