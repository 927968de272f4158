import gc

from hub.lib.gctune import YOUNG_THRESHOLD, limit_malloc_arenas, tune_gc


def test_tuning_raises_only_the_young_generations_threshold():
    before = gc.get_threshold()
    try:
        tune_gc()
        assert gc.get_threshold() == (YOUNG_THRESHOLD, before[1], before[2])
    finally:
        gc.set_threshold(*before)


def test_malloc_arenas_are_limited_unless_the_environment_says_otherwise(monkeypatch):
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert limit_malloc_arenas() is False
    monkeypatch.delenv("MALLOC_ARENA_MAX")
    assert limit_malloc_arenas() is True  # glibc (Debian)


def test_malloc_arenas_are_left_alone_without_glibc(monkeypatch):
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)

    def no_libc(name):
        raise OSError(name)

    monkeypatch.setattr("hub.lib.gctune.ctypes.CDLL", no_libc)
    assert limit_malloc_arenas() is False
