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


async def test_an_event_is_encoded_once_for_every_subscriber_however_far_behind():
    bus = Bus(maxsize=3)
    calls: list[object] = []

    def encode(payload):
        calls.append(payload)
        return f"text {len(calls)}"

    async with bus.subscribe():
        payloads = [[n] for n in range(4)]
        for payload in payloads:
            bus.publish("samples", payload)
        # the newest three are what a subscriber can still hold: each is encoded once
        assert [bus.encoded(payloads[3], encode) for _ in range(3)] == ["text 1"] * 3
        assert [bus.encoded(p, encode) for p in payloads[1:]] == ["text 2", "text 3", "text 1"]
        assert bus.encoded(payloads[1], encode) == "text 2"
        assert bus.encoded(payloads[0], encode) == "text 4"  # dropped from every queue
        assert bus.encoded(payloads[0], encode) == "text 5"  # and not kept
        assert bus.encoded([9], encode) == "text 6"  # never published
    assert calls == [payloads[3], payloads[1], payloads[2], payloads[0], payloads[0], [9]]


async def test_subscribers_a_hundred_events_apart_share_every_encoding():
    bus = Bus()
    calls: list[object] = []
    async with bus.subscribe():
        payloads = [[n] for n in range(200)]
        for payload in payloads:
            bus.publish("samples", payload)
        for _ in range(2):  # a dashboard caught up, then one that was behind by all of them
            texts = [bus.encoded(p, lambda p: calls.append(p) or str(p)) for p in payloads]
    assert texts == [str(p) for p in payloads]
    assert len(calls) == 200
