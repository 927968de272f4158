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

    def __init__(self, maxsize: int = 256) -> None:
        self._queues: set[asyncio.Queue[Event]] = set()
        self._maxsize = maxsize
        self._recent: dict[int, list[Any]] = {}
        """The newest ``maxsize`` published payloads by id: ``[payload, encoding or None]``
        (the payload held so its id is not reused meanwhile). Every event still in a queue
        is among them, since a queue drops its oldest event past ``maxsize``."""

    def encoded(self, payload: Any, encode: Callable[[Any], T]) -> T:
        """``encode(payload)``, worked out once per published event for every subscriber
        (200 dashboards each encoding every agent's batch was most of the stream's cost).
        Kept for as long as a subscriber can still have the event queued, so a dashboard
        behind by many events does not encode them again; one ``encode`` per payload."""
        slot = self._recent.get(id(payload))
        if slot is None or slot[0] is not payload:
            return encode(payload)  # not published, or long gone from every queue
        if slot[1] is None:
            slot[1] = encode(payload)
        return slot[1]  # type: ignore[no-any-return]

    def publish(self, topic: str, payload: Any) -> None:
        """Send an event to every current subscriber; never blocks."""
        if not self._queues:
            return
        self._recent.pop(id(payload), None)
        self._recent[id(payload)] = [payload, None]
        if len(self._recent) > self._maxsize:
            del self._recent[next(iter(self._recent))]
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
