"""Real HTTP services on 127.0.0.1 for the probe and scrape tests: scripted health pages, a
Prometheus target, TLS with a certificate made by the openssl CLI, and refusal when stopped."""

from __future__ import annotations

import contextlib
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST


@dataclass
class Peer:
    """What the service answers; change the fields while it runs."""

    status: int = 200
    body: bytes = b"ok"
    content_type: str = "text/plain"
    delay: float = 0.0
    """Seconds to wait before answering (a slow service)."""
    registry: CollectorRegistry | None = None
    """Served at /metrics in the Prometheus text format when set."""
    metrics_text: str | None = None
    """Served at /metrics as is when set (malformed expositions)."""
    requests: list[str] = field(default_factory=list)
    connections: int = 0
    """Connections accepted or attempted (a failed TLS handshake counts too)."""
    base: str = ""
    _server: ThreadingHTTPServer | None = None
    _open: set[socket.socket] = field(default_factory=set)

    @property
    def url(self) -> str:
        """The health page."""
        return f"{self.base}/health"

    @property
    def metrics_url(self) -> str:
        """The Prometheus endpoint."""
        return f"{self.base}/metrics"

    def stop(self) -> None:
        """Stop listening and drop open (keep-alive) connections: like a process that died,
        connections are refused from now on."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        for sock in list(self._open):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


@contextlib.contextmanager
def http_peer(tls: ssl.SSLContext | None = None, **answer: object) -> Iterator[Peer]:
    """Serve a Peer (over TLS with ``tls``) until the block ends."""
    peer = Peer(**answer)  # type: ignore[arg-type]

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            peer._open.add(self.connection)

        def finish(self) -> None:
            peer._open.discard(self.connection)
            super().finish()

        def do_GET(self) -> None:
            peer.requests.append(self.path)
            if peer.delay:
                time.sleep(peer.delay)
            status, kind, body = peer.status, peer.content_type, peer.body
            if self.path == "/metrics" and peer.metrics_text is not None:
                status, kind, body = 200, CONTENT_TYPE_LATEST, peer.metrics_text.encode()
            elif self.path == "/metrics" and peer.registry is not None:
                status, kind, body = 200, CONTENT_TYPE_LATEST, generate_latest(peer.registry)
            try:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:  # the prober gave up (timeout) and hung up
                pass

        def log_message(self, *args: object) -> None:
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def get_request(self):  # type: ignore[no-untyped-def]
            peer.connections += 1
            return super().get_request()

    server = Server(("127.0.0.1", 0), Handler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    scheme = "https" if tls else "http"
    peer.base = f"{scheme}://127.0.0.1:{server.server_address[1]}"
    peer._server = server
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield peer
    finally:
        peer.stop()


@dataclass(frozen=True)
class Certificate:
    """A self-signed certificate for 127.0.0.1 and its key, in PEM files."""

    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        """A server-side context presenting this certificate."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, self.key)
        return context

    def client_context(self) -> ssl.SSLContext:
        """A client-side context that trusts this certificate."""
        return ssl.create_default_context(cafile=str(self.cert))


def make_certificate(folder: Path, days: int) -> Certificate:
    """A self-signed certificate for 127.0.0.1 valid ``days`` from now, made by openssl."""
    folder.mkdir(parents=True, exist_ok=True)
    cert, key = folder / f"cert-{days}.pem", folder / f"key-{days}.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            str(days),
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    return Certificate(cert, key)
