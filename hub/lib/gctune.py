"""Garbage-collector and allocator settings for the long-running hub process."""

from __future__ import annotations

import ctypes
import functools
import gc
import os
import sys

YOUNG_THRESHOLD = 50_000
"""Net container allocations between collections of the youngest generation (CPython: 700)."""
M_ARENA_MAX = -8
"""glibc's ``mallopt`` parameter number for the most malloc arenas (malloc.h)."""
MALLOC_ARENAS = 2
"""Arenas the hub's threads share (glibc: up to 8 per core, one per thread that allocates)."""


def tune_gc() -> None:
    """Collect the youngest generation every 50,000 net allocations instead of 700, and let
    the process's threads share two malloc arenas.

    A rule evaluation over 10k series allocates tens of thousands of short-lived tuples and
    dicts; with the default the collector ran 75 to 100 times an evaluation and was about half its
    CPU (``python -m tests.bench rules``: 172 → 82 ms median CPU per evaluation, same run). The
    hub makes few reference cycles, so garbage held in them only waits a little longer; the
    older generations keep their defaults.

    Every thread that calls malloc (the Docker collector's, the store's, asyncio's executor)
    otherwise gets an arena of its own that keeps its freed memory: two arenas kept the hub
    watching 20 services and 13 containers 1.3 MB smaller (``tests.bench collectors``).
    """
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
    limit_malloc_arenas()


@functools.cache
def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    return ctypes.CDLL(None)  # the C library the interpreter is linked with


def limit_malloc_arenas(arenas: int = MALLOC_ARENAS) -> bool:
    """Cap glibc's malloc arenas at ``arenas``; False where the C library has no ``mallopt``
    (musl, macOS) or when ``MALLOC_ARENA_MAX`` is set (glibc reads it itself, and the operator
    chose). Takes effect for threads that have not allocated yet: call it early.

    Under load (50 dashboards, 100 agents: ``python -m tests.bench load``) two arenas kept the hub
    at 113 MB against 121 MB (peak 128) in back-to-back runs."""
    if os.environ.get("MALLOC_ARENA_MAX"):
        return False
    mallopt = getattr(_libc(), "mallopt", None)
    return mallopt is not None and bool(mallopt(M_ARENA_MAX, arenas))


def release_free_memory() -> bool:
    """Give the free pages of the malloc heap back to the system (glibc's ``malloc_trim``);
    False where there is no such call.

    Freed memory inside the heap stays resident until then: after start-up and each burst of
    work the hub kept 3 MB more (``tests.bench collectors``). A call costs about 10 µs."""
    trim = getattr(_libc(), "malloc_trim", None)
    if trim is None:
        return False
    trim(0)
    return True
