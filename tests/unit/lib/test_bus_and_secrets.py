"""The live bus and secret files."""

import stat

from hub.lib.bus import Bus
from hub.lib.secrets import ensure_secret_file, new_token, same_token, token_hash


async def test_every_subscriber_gets_every_event_while_subscribed():
    bus = Bus()
    async with bus.subscribe() as first, bus.subscribe() as second:
        bus.publish("alert", 1)
        assert bus.subscribers == 2
        assert first.get_nowait() == ("alert", 1)
        assert second.get_nowait() == ("alert", 1)
    bus.publish("alert", 2)
    assert bus.subscribers == 0


async def test_slow_subscriber_loses_oldest_events_not_the_newest():
    bus = Bus(maxsize=2)
    async with bus.subscribe() as queue:
        for n in range(5):
            bus.publish("samples", n)
        assert [queue.get_nowait()[1] for _ in range(queue.qsize())] == [3, 4]


def test_secret_file_is_created_0600_once_and_then_reused(tmp_path):
    path = tmp_path / "sub" / "admin.token"
    token, created = ensure_secret_file(path)
    assert created and len(token) >= 40
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again, created_again = ensure_secret_file(path)
    assert (again, created_again) == (token, False)


def test_secret_file_with_loose_permissions_is_tightened(tmp_path):
    path = tmp_path / "admin.token"
    path.write_text("abc\n")
    path.chmod(0o644)
    assert ensure_secret_file(path) == ("abc", False)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_tokens_are_random_and_hashes_stable():
    assert new_token() != new_token()
    assert token_hash("x") == token_hash("x") != token_hash("y")
    assert same_token("abc", "abc") and not same_token("abc", "abd")


def test_an_event_is_encoded_once_for_every_subscriber():
    bus = Bus(texts=2)
    calls: list[object] = []

    def encode(payload):
        calls.append(payload)
        return f"text {len(calls)}"

    first, second, third = [1], [2], [3]
    assert [bus.encoded(first, encode) for _ in range(3)] == ["text 1"] * 3
    assert bus.encoded(second, encode) == "text 2"
    assert bus.encoded(third, encode) == "text 3"  # the oldest text is dropped
    assert bus.encoded(second, encode) == "text 2"
    assert bus.encoded(first, encode) == "text 4"  # encoded again for a subscriber far behind
    assert calls == [first, second, third, first]
