"""The live bus: in-process publish/subscribe feeding the dashboard's SSE streams."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

T = TypeVar("T")
Event = tuple[str, Any]
"""(topic, payload)."""


class Bus:
    """Fan-out of (topic, payload) events to every subscriber.

    A subscriber that falls behind by ``maxsize`` events loses the oldest ones rather than
    slowing publishers down: the dashboard reloads state on reconnect anyway.
    """

    def __init__(self, maxsize: int = 256, texts: int = 32) -> None:
        self._queues: set[asyncio.Queue[Event]] = set()
        self._maxsize = maxsize
        self._texts: dict[int, tuple[Any, Any]] = {}
        """The newest events' encoded texts by payload id (with the payload, so its id is not
        reused meanwhile), at most ``texts`` of them."""
        self._max_texts = texts

    def encoded(self, payload: Any, encode: Callable[[Any], T]) -> T:
        """``encode(payload)``, worked out once for every subscriber of the event (200
        dashboards each encoding every agent's batch was most of the stream's cost); a
        subscriber far behind encodes its event again. One ``encode`` per payload: the
        cache is keyed by the payload alone."""
        hit = self._texts.get(id(payload))
        if hit is not None and hit[0] is payload:
            return hit[1]  # type: ignore[no-any-return]
        text = encode(payload)
        self._texts[id(payload)] = (payload, text)
        if len(self._texts) > self._max_texts:
            del self._texts[next(iter(self._texts))]
        return text

    def publish(self, topic: str, payload: Any) -> None:
        """Send an event to every current subscriber; never blocks."""
        for queue in self._queues:
            if queue.full():
                with contextlib.suppress(asyncio.QueueEmpty):
                    queue.get_nowait()
            queue.put_nowait((topic, payload))

    @property
    def subscribers(self) -> int:
        """How many subscribers are listening."""
        return len(self._queues)

    @contextlib.asynccontextmanager
    async def subscribe(self) -> AsyncIterator[asyncio.Queue[Event]]:
        """A queue that receives every event published while the block runs."""
        queue: asyncio.Queue[Event] = asyncio.Queue(self._maxsize)
        self._queues.add(queue)
        try:
            yield queue
        finally:
            self._queues.discard(queue)


async def next_event(queue: asyncio.Queue[Event], wait: float) -> Event | None:
    """The next event of ``queue``, waiting up to ``wait`` seconds when it is empty; None when
    none came. An event already queued is taken without a timer or a task (``wait_for`` makes
    a task per call), so a subscriber behind by several events catches up cheaply."""
    if not queue.empty():
        return queue.get_nowait()
    try:
        async with asyncio.timeout(wait):
            return await queue.get()
    except TimeoutError:
        return None
