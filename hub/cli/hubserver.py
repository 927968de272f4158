"""uvicorn's server for the hub: no periodic wake-ups while idle."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from collections.abc import Callable, Iterable, Iterator
from email.utils import formatdate
from types import FrameType

import uvicorn

Header = tuple[bytes, bytes]

SAFETY_TICK = 60.0
"""Seconds between looks at ``should_exit`` when nothing wakes the main loop (a signal does at
once): a flag set without ``handle_exit`` is still seen within a minute."""


class DatedHeaders(list[Header]):
    """uvicorn's default response headers with a ``Date`` made when a response takes them.

    uvicorn keeps the Date current by waking once a second to rewrite the header list; here
    the list itself gives the current second's date whenever uvicorn adds it to a response
    (``default_headers + headers``) or walks it, so nothing has to wake. The formatted date is
    kept for the rest of its second."""

    def __init__(self, headers: Iterable[Header], now: Callable[[], float] = time.time) -> None:
        super().__init__(headers)
        self._now = now
        self._second = -1
        self._date = b""

    def current(self) -> list[Header]:
        """The Date of this second followed by the other default headers."""
        second = int(self._now())
        if second != self._second:
            self._second, self._date = second, formatdate(second, usegmt=True).encode()
        return [(b"date", self._date), *super().__iter__()]

    def __add__(self, other: list[Header]) -> list[Header]:  # type: ignore[override]
        return self.current() + other

    def __iter__(self) -> Iterator[Header]:
        return iter(self.current())


class HubServer(uvicorn.Server):
    """uvicorn without its tick.

    uvicorn's main loop wakes every 100 ms to refresh the Date header once a second and to
    notice a shutdown request; the hub had slowed that to once a second, which was still a
    sixth of an idle hub's event-loop wake-ups, and on this kind of machine a wake-up of an
    idle process costs about 0.2 ms of CPU whatever little it does. Here the Date is made per
    response (``DatedHeaders``) and a signal wakes the main loop at once, so an idle server
    wakes only every ``SAFETY_TICK`` seconds.
    """

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def main_loop(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        if self.config.date_header:
            self.server_state.default_headers = DatedHeaders(self.config.encoded_headers)
        while not self._stop_requested():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(SAFETY_TICK):
                    await self._wake.wait()
            self._wake.clear()

    def _stop_requested(self) -> bool:
        limit = self.limit_max_requests
        return self.should_exit or (limit is not None and self.server_state.total_requests >= limit)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        """Shut down gracefully; after SIGTERM exit 0 instead of re-raising the signal.

        SIGTERM is how systemd, Docker and ``tcf-hub open`` stop the hub; uvicorn re-raises it
        after its graceful shutdown, so a clean stop would end with status 143 (-15).
        """
        super().handle_exit(sig, frame)
        if sig == signal.SIGTERM:
            self._captured_signals.remove(sig)
        self.wake()

    def wake(self) -> None:
        """Make the main loop look at ``should_exit`` now (safe from a signal handler)."""
        loop, event = self._loop, self._wake
        if loop is not None and event is not None:
            with contextlib.suppress(RuntimeError):  # the loop has closed
                loop.call_soon_threadsafe(event.set)


__all__ = ["DatedHeaders", "HubServer"]
