import gc

from hub.lib.gctune import YOUNG_THRESHOLD, tune_gc


def test_tuning_raises_only_the_young_generations_threshold():
    before = gc.get_threshold()
    try:
        tune_gc()
        assert gc.get_threshold() == (YOUNG_THRESHOLD, before[1], before[2])
    finally:
        gc.set_threshold(*before)
