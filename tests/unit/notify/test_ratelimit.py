"""Rate limits: a sliding minute per channel under a global cap."""

from datetime import UTC, datetime, timedelta

from hub.notify.ratelimit import RateLimits

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_channel_limit_frees_a_slot_a_minute_after_each_delivery():
    limits = RateLimits({"ops": 2}, 0)
    assert limits.take("ops", at(0)) is None
    assert limits.take("ops", at(10)) is None
    assert limits.take("ops", at(20)) == at(60)
    assert limits.take("ops", at(60)) is None
    assert limits.take("ops", at(61)) == at(70)


def test_a_refused_delivery_uses_no_slot():
    limits = RateLimits({"ops": 1}, 0)
    limits.take("ops", at(0))
    for second in range(1, 59):
        assert limits.take("ops", at(second)) == at(60)
    assert limits.take("ops", at(60)) is None


def test_channels_have_their_own_limits_under_the_global_cap():
    limits = RateLimits({"a": 1, "b": 5}, 3)
    assert limits.take("a", at(0)) is None
    assert limits.take("a", at(0)) == at(60)
    assert limits.take("b", at(1)) is None
    assert limits.take("b", at(2)) is None
    assert limits.take("b", at(3)) == at(60)  # global cap of 3 reached
    assert limits.take("unknown", at(4)) == at(60)


def test_zero_means_no_limit():
    limits = RateLimits({"a": 0}, 0)
    assert all(limits.take("a", at(0)) is None for _ in range(10_000))
