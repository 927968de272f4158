"""``tcf-hub open``: the desktop launcher — start the hub if needed, open the dashboard."""

from __future__ import annotations

import os
import shlex
import shutil
import sys
import time
import webbrowser
from collections.abc import Callable, Mapping
from pathlib import Path

import click
import httpx

from hub.cli.client import fail, find_token
from hub.cli.options import config_dir_option, data_dir_option
from hub.lib.yamlconf import ConfigError
from hub.settings import Settings, load_settings

BROWSER_ENV = "TCF_HUB_BROWSER"
"""A Chromium-family browser command to open the dashboard with (``--app=URL`` is appended)."""
APP_BROWSERS = (
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "microsoft-edge",
    "brave-browser",
)
"""Browsers with an app-style window (``--app=URL``: no tabs, no address bar), best first."""
PID_FILE = "tcf-hub.pid"
LOG_FILE = "tcf-hub.log"
LOG_KEEP_BYTES = 10_000_000
"""A log past this size becomes ``tcf-hub.log.1`` (replacing the older one) at the next start."""


def dashboard_url(settings: Settings) -> str:
    """Where this machine reaches the hub (a wildcard bind is reached on loopback)."""
    host = settings.host
    if host in ("0.0.0.0", "::", ""):  # noqa: S104 - comparing, not binding
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{settings.port}/"


def healthy(url: str) -> bool | None:
    """True: a hub answers there; False: something else holds the port; None: nothing does."""
    try:
        response = httpx.get(url + "healthz", timeout=2.0)
    except httpx.TransportError:
        return None
    try:
        return response.status_code == 200 and response.json() == {"status": "ok"}
    except ValueError:
        return False


def read_pid(path: Path) -> int | None:
    """The pid in ``path`` if that process is still a hub (a stale file is removed)."""
    try:
        pid = int(path.read_text(encoding="utf-8").strip())
        os.kill(pid, 0)
        # After a reboot the pid may belong to another program; Linux tells (elsewhere: trust).
        cmdline = Path(f"/proc/{pid}/cmdline")
        if cmdline.exists() and b"serve" not in cmdline.read_bytes().split(b"\0"):
            raise ProcessLookupError(pid)
    except (OSError, ValueError):
        path.unlink(missing_ok=True)
        return None
    return pid


def serve_command(config_dir: Path | None, settings: Settings) -> list[str]:
    """The command line that runs ``tcf-hub serve`` with this interpreter or binary."""
    if getattr(sys, "frozen", False):  # the one-file binary is the whole CLI
        command = [sys.executable, "serve"]
    else:
        command = [sys.executable, "-m", "hub", "serve"]
    if config_dir is not None:
        command += ["--config", str(config_dir)]
    return [
        *command,
        *("--data-dir", str(settings.data_dir)),
        *("--host", settings.host, "--port", str(settings.port)),
    ]


def spawn_detached(command: list[str], output: Path | None = None) -> int:
    """Start ``command`` in a session of its own, output appended to ``output`` (else dropped).

    The process outlives this one; there is no ``Popen`` to wait for, so nothing warns about it.

    Raises:
        OSError: the program cannot be run.
    """
    target = str(output) if output is not None else os.devnull
    return os.posix_spawnp(
        command[0],
        command,
        dict(os.environ),
        file_actions=[
            (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, target, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600),
            (os.POSIX_SPAWN_DUP2, 1, 2),
        ],
        setsid=True,
    )


def running(pid: int) -> bool:
    """Whether our child ``pid`` still runs (it is reaped once it has exited)."""
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return False
    return done == 0


def start_hub(command: list[str], data_dir: Path) -> int:
    """Start the hub detached from this process (it outlives the launcher); record its pid."""
    data_dir.mkdir(parents=True, exist_ok=True)
    log = data_dir / LOG_FILE
    if log.is_file() and log.stat().st_size > LOG_KEEP_BYTES:
        log.replace(data_dir / f"{LOG_FILE}.1")
    pid = spawn_detached(command, log)
    (data_dir / PID_FILE).write_text(f"{pid}\n", encoding="utf-8")
    return pid


def wait_until_healthy(
    url: str,
    timeout: float,
    alive: Callable[[], bool],
    *,
    probe: Callable[[str], bool | None] = healthy,
    monotonic: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> bool:
    """Poll /healthz until the hub answers (True), it dies or ``timeout`` seconds pass (False)."""
    deadline = monotonic() + timeout
    while monotonic() < deadline:
        if probe(url):
            return True
        if not alive():
            return False
        sleep(0.1)
    return False


def browser_command(
    url: str,
    env: Mapping[str, str],
    which: Callable[[str], str | None] = shutil.which,
) -> list[str] | None:
    """The app-window command for ``url``, or None to use the default browser."""
    chosen = env.get(BROWSER_ENV, "").strip()
    if chosen:
        return [*shlex.split(chosen), f"--app={url}"]
    for name in APP_BROWSERS:
        path = which(name)
        if path:
            return [path, f"--app={url}"]
    return None


def open_dashboard(url: str, env: Mapping[str, str]) -> None:
    """Open ``url`` in an app-style window, else in the default browser."""
    command = browser_command(url, env)
    if command is None:
        if not webbrowser.open(url):
            fail(f"no browser found; open {url} yourself")
        return
    try:
        spawn_detached(command)
    except OSError as exc:
        fail(f"cannot start the browser {command[0]!r}: {exc.strerror}; open {url} yourself")


def login_url(url: str, data_dir: Path) -> str:
    """A one-time login link from the hub (signs the browser in), else the plain ``url``."""
    token = find_token(None, data_dir)
    if token is None:
        return url
    try:
        response = httpx.post(
            url + "api/v1/session/link",
            headers={"Authorization": f"Bearer {token}"},
            timeout=5.0,
        )
    except httpx.TransportError:
        return url
    if response.status_code != 201:  # e.g. a hub run with another data dir: sign in by hand
        return url
    link: str = response.json()["url"]
    return link


def _log_tail(data_dir: Path, lines: int = 15) -> str:
    try:
        text = (data_dir / LOG_FILE).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def ensure_running(settings: Settings, config_dir: Path | None, timeout: float) -> str:
    """Start the hub in the background unless it (or another start of it) is running.

    Returns:
        The dashboard's URL, once /healthz answers.
    """
    url = dashboard_url(settings)
    state = healthy(url)
    if state:
        return url
    if state is False:
        fail(f"port {settings.port} is in use by another program (no tcf-hub at {url})")
    pid_file = settings.data_dir / PID_FILE
    pid = read_pid(pid_file)
    if pid is not None:  # started a moment ago (a double click): wait for that one
        click.echo(f"tcf-hub is starting (pid {pid})…", err=True)
        if wait_until_healthy(url, timeout, lambda: read_pid(pid_file) is not None):
            return url
        fail(f"the hub (pid {pid}) did not answer at {url} within {timeout:g} s")
    click.echo(f"Starting tcf-hub at {url} (log: {settings.data_dir / LOG_FILE})", err=True)
    pid = start_hub(serve_command(config_dir, settings), settings.data_dir)
    if wait_until_healthy(url, timeout, lambda: running(pid)):
        return url
    if running(pid):
        fail(f"the hub did not answer at {url} within {timeout:g} s (it is still starting)")
    pid_file.unlink(missing_ok=True)
    return fail(f"the hub stopped while starting:\n{_log_tail(settings.data_dir)}")


@click.command("open")
@config_dir_option
@data_dir_option
@click.option("--host", envvar="TCF_HUB_HOST", help="Address the hub binds (default 127.0.0.1).")
@click.option("--port", type=int, envvar="TCF_HUB_PORT", help="Port of the hub (default 3001).")
@click.option(
    "--timeout",
    default=30.0,
    show_default=True,
    type=click.FloatRange(min=0.5),
    help="Seconds to wait for a starting hub.",
)
@click.option("--no-browser", is_flag=True, help="Only make sure the hub runs; print its URL.")
def open_command(
    config_dir: Path | None,
    data_dir: Path | None,
    host: str | None,
    port: int | None,
    timeout: float,
    no_browser: bool,
) -> None:
    """Start the hub in the background if needed and open the dashboard in an app window.

    The browser is TCF_HUB_BROWSER (a Chromium-family command), else Chromium, Chrome, Edge or
    Brave with --app, else the default browser.
    """
    try:
        settings = load_settings(config_dir, data_dir, host, port)
    except ConfigError as exc:
        click.echo(f"tcf-hub: invalid configuration: {exc}", err=True)
        sys.exit(2)
    url = ensure_running(settings, config_dir, timeout)
    click.echo(url)
    if not no_browser:
        open_dashboard(login_url(url, settings.data_dir), os.environ)
