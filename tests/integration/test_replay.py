"""A recorded-style noisy day through the default rules and the real hub (tests/bench/replay.py):
the real outage is notified, and far fewer notifications go out than from a naive threshold."""

from __future__ import annotations

import pytest

from tests.bench.replay import default_rules_text, naive_notifications, noisy_day, replay


def test_the_day_is_the_same_every_time():
    assert noisy_day() == noisy_day()
    assert naive_notifications(noisy_day(), default_rules_text()) > 100


@pytest.mark.timeout(900)
async def test_a_noisy_day_notifies_the_real_outage_with_a_fraction_of_the_naive_noise():
    result = await replay()
    assert result.outage_notified()
    assert result.ours * 5 < result.naive
    flap_notes = [
        a["annotations"]["flapping"]
        for b in result.bodies
        for a in b["alerts"]
        if "flapping" in a["annotations"]
    ]
    assert flap_notes.count("flapping_started") == 1
