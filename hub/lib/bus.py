"""The live bus: in-process publish/subscribe feeding the dashboard's SSE streams."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any


class Bus:
    """Fan-out of (topic, payload) events to every subscriber.

    A subscriber that falls behind by ``maxsize`` events loses the oldest ones rather than
    slowing publishers down: the dashboard reloads state on reconnect anyway.
    """

    def __init__(self, maxsize: int = 256, texts: int = 32) -> None:
        self._queues: set[asyncio.Queue[tuple[str, Any]]] = set()
        self._maxsize = maxsize
        self._texts: dict[int, tuple[Any, str]] = {}
        """The newest events' encoded texts by payload id (with the payload, so its id is not
        reused meanwhile), at most ``texts`` of them."""
        self._max_texts = texts

    def encoded(self, payload: Any, encode: Callable[[Any], str]) -> str:
        """``encode(payload)``, worked out once for every subscriber of the event (200
        dashboards each encoding every agent's batch was most of the stream's cost); a
        subscriber far behind encodes its event again."""
        hit = self._texts.get(id(payload))
        if hit is not None and hit[0] is payload:
            return hit[1]
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
    async def subscribe(self) -> AsyncIterator[asyncio.Queue[tuple[str, Any]]]:
        """A queue that receives every event published while the block runs."""
        queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue(self._maxsize)
        self._queues.add(queue)
        try:
            yield queue
        finally:
            self._queues.discard(queue)
