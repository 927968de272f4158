"""SSE framing and a subscriber's next event."""

import asyncio

import pytest
from litestar.response import ServerSentEventMessage

from hub.lib.bus import Bus, next_event
from hub.lib.sse import frame


@pytest.mark.parametrize(
    "message",
    [
        {"event": "alert", "data": '{"id":1}'},
        {"comment": "connected", "retry": 3000},
        {"comment": "ping"},
        {"event": "a\nb", "data": "x\r\ny\rz"},
    ],
)
def test_frames_are_the_bytes_litestars_server_sent_events_wrote(message):
    assert frame(**message) == ServerSentEventMessage(**message).encode()


def test_a_frame_has_one_data_line_per_line_and_ends_with_a_blank_line():
    assert frame(event="a\nb", data="x\ny") == b"event: ab\r\ndata: x\r\ndata: y\r\n\r\n"


async def test_next_event_takes_a_queued_event_at_once_in_order():
    bus = Bus()
    async with bus.subscribe() as queue:
        for n in range(2):
            bus.publish("samples", n)
        assert await next_event(queue, 0.0) == ("samples", 0)
        assert await next_event(queue, 0.0) == ("samples", 1)


async def test_next_event_waits_for_one_and_gives_none_after_the_wait():
    bus = Bus()
    async with bus.subscribe() as queue:
        assert await next_event(queue, 0.01) is None
        asyncio.get_running_loop().call_later(0.01, bus.publish, "alert", 7)
        assert await next_event(queue, 10.0) == ("alert", 7)
