"""Server-sent events framing: the bytes of one event, comment or keepalive on the wire.

The format is the one Litestar's ``ServerSentEventMessage`` wrote before the stream framed its
own bytes (``\\r\\n`` line ends, a ``data:`` line on every message, comments included), so
dashboards and proxies see the same stream. See
https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
"""

from __future__ import annotations

import re

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
SEP = "\r\n"


def frame(
    *,
    event: str | None = None,
    data: str = "",
    comment: str | None = None,
    retry: int | None = None,
) -> bytes:
    """One SSE message: comment lines, ``event:``, one ``data:`` line per line of ``data``,
    ``retry:``, then the blank line that ends it."""
    lines: list[str] = []
    if comment is not None:
        lines += [f": {chunk}" for chunk in _LINE_BREAK.split(comment)]
    if event is not None:
        lines.append("event: " + _LINE_BREAK.sub("", event))
    lines += [f"data: {chunk}" for chunk in _LINE_BREAK.split(data)]
    if retry is not None:
        lines.append(f"retry: {retry}")
    return (SEP.join(lines) + SEP + SEP).encode()
