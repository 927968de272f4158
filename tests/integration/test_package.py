"""Smoke test of the one-file binary (dist/tcf-hub, built by `make package` before `make test`)
in a clean, empty HOME: every subcommand runs from it, SIGTERM stops it cleanly, and
packaging/install.sh installs and uninstalls it."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from hub import __version__
from tests.helpers import free_port

ROOT = Path(__file__).resolve().parents[2]
BINARY = ROOT / "dist" / "tcf-hub"
INSTALL = ROOT / "packaging" / "install.sh"

pytestmark = [pytest.mark.package, pytest.mark.timeout(240)]


@pytest.fixture
def home(tmp_path):
    """A clean HOME and an environment without any tcf-hub or XDG variables; skips when the
    binary is not built (fails instead under CI=true, where `make test` must have built it)."""
    if not BINARY.is_file():
        reason = "dist/tcf-hub is not built (`make package` builds it; see its output)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    home = tmp_path / "home"
    home.mkdir()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TCF_HUB_", "XDG_", "PYTHON", "VIRTUAL_ENV", "_PYI", "_MEI"))
    }
    env.update(HOME=str(home), PATH="/usr/bin:/bin")
    return home, env


def run(env, *args, timeout=60):
    return subprocess.run(
        [str(BINARY), *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def wait_for_health(url, process, timeout=60.0):
    """Seconds until /healthz first answered 200."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        assert process.poll() is None, process.communicate()[1]
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return time.monotonic() - start
        except httpx.TransportError:
            time.sleep(0.05)
    raise AssertionError(f"no /healthz answer within {timeout} s")


def stop(process):
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=30)
    return process.returncode, err


def test_binary_runs_every_subcommand_and_stops_cleanly_on_sigterm(home):
    home_dir, env = home
    assert run(env, "--version").stdout.strip() == f"tcf-hub, version {__version__}"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    hub = subprocess.Popen(
        [str(BINARY), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        seconds = wait_for_health(url, hub)
        print(f"binary: first /healthz 200 after {seconds:.2f} s (fresh data dir)")
        assert httpx.get(url + "/healthz").json() == {"status": "ok"}
        page = httpx.get(url + "/")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert '<div id="app"' in page.text or "<script" in page.text
        assert httpx.get(url + "/manifest.webmanifest").status_code == 200
        script = re.search(r'src="(/assets/[^"]+\.js)"', page.text)
        assert script, page.text
        assert httpx.get(url + script[1]).status_code == 200

        # ctl finds the admin token in the default data dir under this HOME
        data_dir = home_dir / ".local" / "share" / "tcf-hub"
        assert (data_dir / "admin.token").stat().st_mode & 0o777 == 0o600
        listed = run(env, "ctl", "--url", url, "alerts", "list", "--json")
        assert listed.returncode == 0, listed.stderr
        # a loaded machine may already have a pending cpu_high (a default rule): any list will do
        alerts = json.loads(listed.stdout)
        assert isinstance(alerts, list)
        assert all({"id", "rule", "state", "labels"} <= set(alert) for alert in alerts)
        unreachable = run(env, "ctl", "--url", f"http://127.0.0.1:{free_port()}", "alerts", "list")
        assert unreachable.returncode == 3

        # open: the hub runs already, so it only prints the URL
        env_open = {**env, "TCF_HUB_PORT": str(port)}
        opened = run(env_open, "open", "--no-browser")
        assert opened.returncode == 0, opened.stderr
        assert opened.stdout.strip() == url + "/"

        # agent: an ingest token, one collection, the host shows up on the hub
        token = run(env, "ctl", "--url", url, "tokens", "create", "smoke", "--scope", "ingest")
        assert token.returncode == 0, token.stderr
        secret = token.stdout.splitlines()[0].strip()
        agent = subprocess.Popen(
            [
                str(BINARY),
                "agent",
                "--hub",
                url,
                "--token",
                secret,
                "--host",
                "smoke-agent",
                "--interval",
                "1s",
                "--data-dir",
                str(home_dir / "agent"),
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            admin = {"Authorization": f"Bearer {(data_dir / 'admin.token').read_text().strip()}"}
            deadline = time.monotonic() + 60
            hosts: list[str] = []
            while time.monotonic() < deadline and "smoke-agent" not in hosts:
                time.sleep(0.5)
                hosts = [h["host"] for h in httpx.get(url + "/api/v1/hosts", headers=admin).json()]
            assert "smoke-agent" in hosts
        finally:
            code, err = stop(agent)
        assert code == 0, err
        assert "Traceback" not in err
    finally:
        code, err = stop(hub)
    assert code == 0, err
    assert "Traceback" not in err
    assert "Application shutdown complete" in err

    # db works on the stopped hub's store
    stats = run(env, "db", "stats")
    assert stats.returncode == 0, stats.stderr
    assert "series" in stats.stdout
    exported = run(env, "db", "export", "--match", 'memory_usage{host="smoke-agent"}', "-o", "-")
    assert exported.returncode == 0, exported.stderr
    assert 'host="smoke-agent"' in exported.stdout


def test_install_then_uninstall_round_trip(home):
    home_dir, env = home
    installed = subprocess.run(
        ["sh", str(INSTALL), "--binary", str(BINARY), "--service"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert installed.returncode == 0, installed.stderr
    binary = home_dir / ".local" / "bin" / "tcf-hub"
    desktop = home_dir / ".local" / "share" / "applications" / "tcf-hub.desktop"
    unit = home_dir / ".config" / "systemd" / "user" / "tcf-hub.service"
    icon = home_dir / ".local" / "share" / "icons" / "hicolor" / "512x512" / "apps" / "tcf-hub.png"
    config = home_dir / ".config" / "tcf-hub"
    data = home_dir / ".local" / "share" / "tcf-hub"
    assert os.access(binary, os.X_OK)
    assert f'Exec="{binary}" open' in desktop.read_text()
    assert f"TryExec={binary}\n" in desktop.read_text()
    assert icon.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "ExecStart=%h/.local/bin/tcf-hub serve" in unit.read_text()
    assert (config / "alerts.yml").is_file()
    assert data.is_dir() and data.stat().st_mode & 0o777 == 0o700
    installed_version = subprocess.run(
        [str(binary), "--version"], env=env, capture_output=True, text=True, check=True
    )
    assert installed_version.stdout.strip() == f"tcf-hub, version {__version__}"
    upgraded = subprocess.run(
        [str(binary), "db", "upgrade"], env=env, capture_output=True, text=True, check=False
    )
    assert upgraded.returncode == 0, upgraded.stderr  # a fresh store in the installed data dir
    store = (data / "hub.db").read_bytes()
    assert store.startswith(b"SQLite format 3\0")

    removed = subprocess.run(
        ["sh", str(INSTALL), "--uninstall"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert removed.returncode == 0, removed.stderr
    for path in (binary, desktop, unit, icon):
        assert not path.exists(), path
    assert (data / "hub.db").read_bytes() == store
    assert (config / "alerts.yml").is_file()

    purged = subprocess.run(
        ["sh", str(INSTALL), "--uninstall", "--purge"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert purged.returncode == 0, purged.stderr
    assert not data.exists()
    assert not config.exists()


def test_open_from_the_binary_starts_a_background_hub_and_a_signed_in_window(home):
    home_dir, env = home
    port = free_port()
    opened = home_dir / "opened.txt"
    browser = home_dir / "browser.sh"
    browser.write_text(f'#!/bin/sh\necho "$@" > {opened}\n')
    browser.chmod(0o755)
    env = {**env, "TCF_HUB_PORT": str(port), "TCF_HUB_BROWSER": str(browser)}
    pid_file = home_dir / ".local" / "share" / "tcf-hub" / "tcf-hub.pid"
    result = run(env, "open", "--timeout", "90", timeout=120)
    try:
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == f"http://127.0.0.1:{port}/"
        assert httpx.get(f"http://127.0.0.1:{port}/healthz").json() == {"status": "ok"}
        for _ in range(100):  # the browser runs detached
            if opened.exists():
                break
            time.sleep(0.05)
        link = opened.read_text().strip().removeprefix("--app=")
        assert link.startswith(f"http://127.0.0.1:{port}/login?token=")
        assert httpx.get(link, follow_redirects=False).status_code in (302, 303)
    finally:
        pid = int(pid_file.read_text())
        os.kill(pid, signal.SIGTERM)
    for _ in range(600):  # not our child (open ran in another process): wait until it is gone
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        raise AssertionError(f"the hub {pid} did not stop on SIGTERM")
    log = (pid_file.parent / "tcf-hub.log").read_text()
    assert "Application shutdown complete" in log
    assert "Traceback" not in log
