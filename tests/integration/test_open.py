"""``tcf-hub open`` for real: it starts a hub in the background once and opens a signed-in app
window (a fake browser command records what it was asked to open)."""

import http.server
import os
import signal
import sys
import threading
import time

import httpx
import pytest
from click.testing import CliRunner

from hub.cli import cli
from hub.cli import open as launcher
from tests.helpers import free_port


class NotAHub(http.server.BaseHTTPRequestHandler):
    """Another program's web server: 200 on every path, but not tcf-hub's health answer."""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(b"<h1>hello</h1>")

    def log_message(self, *args):
        pass


@pytest.fixture
def desktop(tmp_path):
    """A config dir with a free port, a data dir and a fake browser that logs its arguments."""
    port = free_port()
    config = tmp_path / "config"
    config.mkdir()
    (config / "monitoring.yml").write_text(f"hub:\n  port: {port}\n")
    (config / "alerts.yml").write_text("alerts: {}\n")
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser.sh"
    browser.write_text(f'#!/bin/sh\necho "$@" >> {opened}\n')
    browser.chmod(0o755)
    env = {**os.environ, "HOME": str(tmp_path), "TCF_HUB_BROWSER": str(browser)}
    env["TCF_HUB_CONFIG"], env["TCF_HUB_DATA_DIR"] = str(config), str(tmp_path / "data")
    yield port, env, opened, tmp_path / "data"
    pid_file = tmp_path / "data" / "tcf-hub.pid"
    if pid_file.exists():
        pid = int(pid_file.read_text())
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        # `open` ran in this process, so the hub is our child: reap it and check its exit.
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0


def _open(env):
    """Run ``tcf-hub open`` in this process (its coverage counts); the hub it starts is a real
    child process, detached, as from the desktop entry."""
    result = CliRunner().invoke(cli, ["open", "--timeout", "60"], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result


def _lines(path):
    for _ in range(100):  # the browser is started detached
        if path.exists() and path.read_text().strip():
            return path.read_text().split("\n")[:-1]
        time.sleep(0.05)
    raise AssertionError("the browser was not started")


def test_open_starts_the_hub_once_and_opens_a_signed_in_app_window(desktop):
    port, env, opened, data = desktop
    first = _open(env)
    assert first.exit_code == 0, first.stderr
    url = f"http://127.0.0.1:{port}/"
    assert first.stdout.strip() == url
    assert "Starting tcf-hub" in first.stderr
    pid = int((data / "tcf-hub.pid").read_text())
    assert httpx.get(url + "healthz").json() == {"status": "ok"}
    (line,) = _lines(opened)
    assert line.startswith(f"--app={url}login?token=")
    first_visit = httpx.get(line.removeprefix("--app="), follow_redirects=False)
    assert first_visit.status_code in (302, 303)  # no user yet: set the admin password first
    assert first_visit.headers["location"].startswith("/?setup=")

    second = _open(env)  # a second click: same hub, a new window
    assert second.exit_code == 0, second.stderr
    assert "Starting" not in second.stderr
    assert int((data / "tcf-hub.pid").read_text()) == pid
    for _ in range(100):
        if len(opened.read_text().splitlines()) == 2:
            break
        time.sleep(0.05)
    assert opened.read_text().splitlines()[1].startswith(f"--app={url}login?token=")


def test_open_refuses_a_port_held_by_another_program(desktop):
    port, env, opened, data = desktop
    server = http.server.HTTPServer(("127.0.0.1", port), NotAHub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        result = _open(env)
    finally:
        server.shutdown()
        server.server_close()
    assert result.exit_code == 1
    assert f"port {port} is in use by another program" in result.stderr
    assert not opened.exists()
    assert not (data / "tcf-hub.pid").exists()


def test_open_reports_a_hub_that_cannot_start(desktop):
    _port, env, opened, data = desktop
    data.mkdir()
    (data / "hub.db").write_text("not a database")  # the store cannot be opened
    result = _open(env)
    assert result.exit_code == 1
    assert "the hub stopped while starting" in result.stderr
    assert not opened.exists()
    assert not (data / "tcf-hub.pid").exists()


def _never_answers():
    """A process whose command line looks like a hub's but never serves."""
    return [sys.executable, "-c", "import time; time.sleep(60)", "serve"]


def test_open_waits_for_a_hub_another_click_is_starting(desktop):
    _port, env, opened, data = desktop
    data.mkdir()
    pid = launcher.spawn_detached(_never_answers())
    (data / "tcf-hub.pid").write_text(f"{pid}\n")
    try:
        result = CliRunner().invoke(cli, ["open", "--timeout", "0.5"], env=env)
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    assert result.exit_code == 1
    assert f"tcf-hub is starting (pid {pid})" in result.stderr
    assert "did not answer" in result.stderr
    assert not opened.exists()


def test_open_gives_up_on_a_hub_that_does_not_answer_in_time(desktop, monkeypatch):
    _port, env, opened, data = desktop
    monkeypatch.setattr(launcher, "serve_command", lambda *_: _never_answers())
    result = CliRunner().invoke(cli, ["open", "--timeout", "0.5"], env=env)
    pid = int((data / "tcf-hub.pid").read_text())
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    (data / "tcf-hub.pid").unlink()
    assert result.exit_code == 1
    assert "did not answer" in result.stderr
    assert "still starting" in result.stderr
    assert not opened.exists()
