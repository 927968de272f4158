import gc
import platform
from pathlib import Path

import pytest

from hub.lib.gctune import YOUNG_THRESHOLD, limit_malloc_arenas, release_free_memory, tune_gc

glibc = pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's malloc only")


def test_tuning_raises_only_the_young_generations_threshold():
    before = gc.get_threshold()
    try:
        tune_gc()
        assert gc.get_threshold() == (YOUNG_THRESHOLD, before[1], before[2])
    finally:
        gc.set_threshold(*before)


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@glibc
def test_glibc_takes_the_arena_limit_unless_the_environment_sets_one(monkeypatch):
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert limit_malloc_arenas() is False
    monkeypatch.delenv("MALLOC_ARENA_MAX")
    assert limit_malloc_arenas() is True


@glibc
def test_freed_heap_pages_go_back_to_the_system():
    blocks = [bytearray(4000) for _ in range(8000)]  # 32 MB through malloc (pymalloc: <= 512 B)
    kept = blocks[::64]  # one block in 64 stays: the heap cannot shrink from its top
    del blocks
    before = _rss_mb()
    assert release_free_memory() is True
    assert before - _rss_mb() > 10
    assert len(kept) == 125
