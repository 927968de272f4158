"""Real peers and hub launchers shared by the integration and e2e tests."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from hub.app import create_app
from hub.lib.clock import Clock
from hub.settings import Settings, load_settings
from hub.store import upgrade


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Receiver:
    """An HTTP receiver on 127.0.0.1 that records POSTed JSON and answers scripted statuses."""

    statuses: list[int] = field(default_factory=list)
    delay: float = 0.0
    bodies: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    url: str = ""
    received: threading.Event = field(default_factory=threading.Event)

    def wait(self, count: int = 1, timeout: float = 20.0) -> list[dict[str, Any]]:
        """Block until ``count`` bodies arrived; fail after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while len(self.bodies) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} requests, got {len(self.bodies)}")
            self.received.wait(0.05)
            self.received.clear()
        return self.bodies


@contextlib.contextmanager
def receiver(statuses: list[int] | None = None, delay: float = 0.0) -> Iterator[Receiver]:
    """Run a Receiver; ``statuses`` are answered in order, then 200."""
    state = Receiver(statuses=list(statuses or []), delay=delay)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, like real receivers

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length) or b"null")
            if state.delay:
                time.sleep(state.delay)
            status = state.statuses.pop(0) if state.statuses else 200
            state.bodies.append(body)
            state.headers.append(dict(self.headers))
            state.received.set()
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    with serving(Handler) as base:
        state.url = f"{base}/hook"
        yield state


@contextlib.contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve ``handler`` on an ephemeral port of 127.0.0.1 in a thread; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def write_config(folder: Path, monitoring: str = "", alerts: str | None = None) -> Path:
    """A config dir with the given monitoring.yml and alerts.yml texts."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "monitoring.yml").write_text(monitoring)
    if alerts is not None:
        (folder / "alerts.yml").write_text(alerts)
    return folder


@dataclass
class RunningHub:
    """A hub served by uvicorn in a background thread of this process."""

    url: str
    settings: Settings
    token: str
    messages: list[str]

    @property
    def login_link(self) -> str:
        """The one-time link printed at start."""
        return next(m.split(": ", 1)[1] for m in self.messages if "login link" in m)

    def api(self) -> httpx.Client:
        """A client with the admin token."""
        return httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {self.token}"}, timeout=10
        )


@contextlib.contextmanager
def serve_hub(settings: Settings, clock: Clock | None = None) -> Iterator[RunningHub]:
    """Serve the real app (lifespan, scheduler, jobs) on a free port until the block ends."""
    messages: list[str] = []
    app = create_app(settings, clock=clock, announce=messages.append, migrate=upgrade)
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=settings.port,
        log_level="warning",
        lifespan="on",
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("hub did not start")
        time.sleep(0.05)
    token = (settings.data_dir / "admin.token").read_text().strip()
    try:
        yield RunningHub(f"http://127.0.0.1:{settings.port}", settings, token, messages)
    finally:
        server.should_exit = True
        thread.join(15)


def hub_settings(tmp: Path, monitoring: str = "", alerts: str | None = None) -> Settings:
    """Settings for a hub in ``tmp`` on a free port."""
    config = write_config(tmp / "config", monitoring, alerts)
    return load_settings(config, tmp / "data", port=free_port())
