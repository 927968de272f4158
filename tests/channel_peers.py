"""Real receivers on 127.0.0.1 for the channel tests: a scripted HTTP hook (status, headers,
delay per request, raw bodies kept) that can go down and come back on its port, and an SMTP
server (aiosmtpd) with STARTTLS, implicit TLS and a login."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import ssl
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

SECRET_PATH = "/hook/T0001/very-secret-token"
"""The path of every Hook's URL: a secret that must never show up in errors, logs or the API."""


@dataclass
class Answer:
    """One scripted answer."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    body: bytes = b""


@dataclass
class Hook:
    """What the hook received, and what it answers next (``script`` in order, then 200)."""

    script: list[Answer] = field(default_factory=list)
    raw: list[bytes] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    port: int = 0
    _server: ThreadingHTTPServer | None = None
    _got: threading.Event = field(default_factory=threading.Event)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{SECRET_PATH}"

    @property
    def bodies(self) -> list[Any]:
        return [json.loads(b) for b in self.raw]

    def answer(self, *answers: Answer | int) -> None:
        self.script.extend(a if isinstance(a, Answer) else Answer(a) for a in answers)

    def wait(self, count: int, timeout: float = 10.0) -> list[Any]:
        deadline = time.monotonic() + timeout
        while len(self.raw) < count and time.monotonic() < deadline:
            self._got.wait(0.05)
            self._got.clear()
        assert len(self.raw) >= count, f"expected {count} requests, got {len(self.raw)}"
        return self.bodies

    def start(self) -> None:
        """Listen (again) on ``port`` (0 picks one the first time)."""
        hook = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                answer = hook.script.pop(0) if hook.script else Answer()
                hook.raw.append(body)  # on arrival, before any delay
                hook.headers.append(dict(self.headers))
                hook.paths.append(self.path)
                hook._got.set()
                if answer.delay:
                    time.sleep(answer.delay)
                with contextlib.suppress(OSError):  # the sender may have timed out
                    self.send_response(answer.status)
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(answer.body)))
                    self.end_headers()
                    self.wfile.write(answer.body)

            def log_message(self, *args: object) -> None:
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = Server(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        """Stop listening: connections are refused until ``start``."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


@contextlib.contextmanager
def hook(*answers: Answer | int) -> Iterator[Hook]:
    """A running Hook answering ``answers`` first."""
    peer = Hook()
    peer.answer(*answers)
    peer.start()
    try:
        yield peer
    finally:
        peer.stop()


@dataclass
class Mailbox:
    """Messages the SMTP server accepted."""

    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)
    port: int = 0
    refuse_with: str | None = None
    """An SMTP reply such as ``550 no such user`` given to every DATA, when set."""


class _Handler:
    def __init__(self, box: Mailbox) -> None:
        self.box = box

    async def handle_DATA(  # noqa: N802 (aiosmtpd calls it by this name)
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        if self.box.refuse_with:
            return self.box.refuse_with
        content = envelope.original_content or b""
        message = message_from_bytes(content, policy=policy.default)
        self.box.messages.append(message)  # type: ignore[arg-type]
        self.box.envelopes.append((envelope.mail_from or "", list(envelope.rcpt_tos)))
        return "250 OK"


@contextlib.asynccontextmanager
async def smtp_server(
    *,
    starttls: ssl.SSLContext | None = None,
    implicit_tls: ssl.SSLContext | None = None,
    login: tuple[str, str] | None = None,
) -> AsyncIterator[Mailbox]:
    """An aiosmtpd server on 127.0.0.1 in this event loop: STARTTLS required with
    ``starttls``, TLS from the first byte with ``implicit_tls``, AUTH LOGIN/PLAIN with
    ``login`` (user, password)."""
    box = Mailbox()

    def authenticate(
        server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        ok = (
            login is not None
            and isinstance(data, LoginPassword)
            and (data.login.decode(), data.password.decode()) == login
        )
        if ok:
            box.logins.append(data.login.decode())
        return AuthResult(success=ok, handled=False)

    def factory() -> SMTP:
        return SMTP(
            _Handler(box),
            hostname="127.0.0.1",
            tls_context=starttls,
            require_starttls=starttls is not None,
            authenticator=authenticate if login else None,
            auth_required=login is not None,
            auth_require_tls=login is not None and (starttls or implicit_tls) is not None,
        )

    loop = asyncio.get_running_loop()
    server = await loop.create_server(factory, "127.0.0.1", 0, ssl=implicit_tls)
    box.port = server.sockets[0].getsockname()[1]
    try:
        yield box
    finally:
        server.close()
        await server.wait_closed()


def free_port() -> int:
    """A port nothing listens on (for a receiver that is down)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
