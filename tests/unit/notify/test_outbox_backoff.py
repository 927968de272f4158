"""Retry backoff: exponential, capped, jittered."""

import random

from hub.notify.outbox import retry_delay


def test_backoff_doubles_and_stays_within_its_jitter_band():
    rng = random.Random(7)
    for attempts, ceiling in [(0, 2), (1, 4), (2, 8), (5, 64)]:
        delays = [retry_delay(attempts, rng) for _ in range(50)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(set(delays)) > 1  # jittered, so retries of many alerts spread out


def test_backoff_is_capped():
    assert retry_delay(30, random.Random(1)) <= 300
