"""``tcf-hub open``: the pieces that decide what to start and what to open (no processes)."""

import os
import sys
import webbrowser

import httpx
import msgspec
import pytest
from click.testing import CliRunner

from hub.cli import cli
from hub.cli import open as launcher
from hub.settings import load_settings


def _settings(tmp_path, host="127.0.0.1", port=3001):
    settings = load_settings(tmp_path / "none", tmp_path / "data", host, port)
    return msgspec.structs.replace(settings, data_dir=tmp_path / "data")


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("127.0.0.1", "http://127.0.0.1:4000/"),
        ("0.0.0.0", "http://127.0.0.1:4000/"),
        ("::", "http://127.0.0.1:4000/"),
        ("::1", "http://[::1]:4000/"),
        ("hub.lan", "http://hub.lan:4000/"),
    ],
)
def test_dashboard_url_reaches_a_wildcard_bind_on_loopback(tmp_path, host, url):
    assert launcher.dashboard_url(_settings(tmp_path, host, 4000)) == url


def test_browser_from_the_environment_wins_and_gets_an_app_window():
    command = launcher.browser_command(
        "http://127.0.0.1:3001/",
        {"TCF_HUB_BROWSER": "flatpak run org.chromium.Chromium"},
        which=lambda name: f"/usr/bin/{name}",
    )
    assert command == ["flatpak", "run", "org.chromium.Chromium", "--app=http://127.0.0.1:3001/"]


def test_chromium_family_browser_is_found_on_the_path_in_order():
    found = {"google-chrome": "/opt/google/chrome", "brave-browser": "/usr/bin/brave"}
    command = launcher.browser_command("http://h:1/", {}, which=found.get)
    assert command == ["/opt/google/chrome", "--app=http://h:1/"]


def test_no_app_browser_means_the_default_browser():
    assert launcher.browser_command("http://h:1/", {"TCF_HUB_BROWSER": " "}, lambda _: None) is None


class FakeTime:
    def __init__(self):
        self.now = 0.0

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def test_wait_returns_once_the_hub_answers():
    time = FakeTime()
    answers = iter([None, None, True])
    assert launcher.wait_until_healthy(
        "u",
        5,
        lambda: True,
        probe=lambda _: next(answers),
        monotonic=time.monotonic,
        sleep=time.sleep,
    )
    assert time.now == pytest.approx(0.2)


def test_wait_gives_up_when_the_hub_dies():
    time = FakeTime()
    assert not launcher.wait_until_healthy(
        "u", 5, lambda: False, probe=lambda _: None, monotonic=time.monotonic, sleep=time.sleep
    )
    assert time.now == 0


def test_wait_gives_up_after_the_timeout():
    time = FakeTime()
    assert not launcher.wait_until_healthy(
        "u", 2, lambda: True, probe=lambda _: None, monotonic=time.monotonic, sleep=time.sleep
    )
    assert time.now == pytest.approx(2.0)


@pytest.mark.parametrize("content", ["not a pid", "999999999", ""])
def test_stale_or_broken_pid_file_is_removed(tmp_path, content):
    pid_file = tmp_path / "tcf-hub.pid"
    pid_file.write_text(content)
    assert launcher.read_pid(pid_file) is None
    assert not pid_file.exists()


def test_pid_of_a_live_program_that_is_not_a_hub_counts_as_stale(tmp_path):
    pid_file = tmp_path / "tcf-hub.pid"
    pid_file.write_text(f"{os.getpid()}\n")  # pytest: alive, but no "serve" argument
    assert launcher.read_pid(pid_file) is None


def test_missing_pid_file_means_no_hub(tmp_path):
    assert launcher.read_pid(tmp_path / "tcf-hub.pid") is None


def test_serve_command_runs_this_interpreter_or_the_frozen_binary(tmp_path, monkeypatch):
    settings = _settings(tmp_path, "0.0.0.0", 4000)
    where = ["--data-dir", str(tmp_path / "data"), "--host", "0.0.0.0", "--port", "4000"]
    assert launcher.serve_command(None, settings) == [sys.executable, "-m", "hub", "serve", *where]
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert launcher.serve_command(tmp_path / "conf", settings) == [
        sys.executable,
        "serve",
        "--config",
        str(tmp_path / "conf"),
        *where,
    ]


def test_login_link_without_an_admin_token_falls_back_to_the_plain_url(tmp_path):
    assert launcher.login_url("http://h:1/", tmp_path) == "http://h:1/"


def test_login_link_falls_back_when_the_hub_cannot_make_one(tmp_path, monkeypatch):
    (tmp_path / "admin.token").write_text("secret\n")
    calls = []

    def refuse(url, headers, timeout):
        calls.append((url, headers))
        return httpx.Response(401)

    monkeypatch.setattr(httpx, "post", refuse)
    assert launcher.login_url("http://h:1/", tmp_path) == "http://h:1/"
    assert calls == [("http://h:1/api/v1/session/link", {"Authorization": "Bearer secret"})]

    def unreachable(url, headers, timeout):
        raise httpx.ConnectError("refused")

    monkeypatch.setattr(httpx, "post", unreachable)
    assert launcher.login_url("http://h:1/", tmp_path) == "http://h:1/"


def test_default_browser_is_used_without_an_app_browser(monkeypatch):
    opened = []
    monkeypatch.setattr(launcher, "browser_command", lambda url, env: None)
    monkeypatch.setattr(webbrowser, "open", lambda url: opened.append(url) or True)
    launcher.open_dashboard("http://h:1/", {})
    assert opened == ["http://h:1/"]
    monkeypatch.setattr(webbrowser, "open", lambda url: False)
    with pytest.raises(SystemExit) as exit_:
        launcher.open_dashboard("http://h:1/", {})
    assert exit_.value.code == 1


def test_a_browser_that_cannot_run_is_reported(tmp_path, capsys):
    env = {"TCF_HUB_BROWSER": str(tmp_path / "no-such-browser")}
    with pytest.raises(SystemExit) as exit_:
        launcher.open_dashboard("http://h:1/", env)
    assert exit_.value.code == 1
    assert "cannot start the browser" in capsys.readouterr().err


def test_open_with_a_bad_config_exits_2(tmp_path):
    (tmp_path / "monitoring.yml").write_text("hub:\n  port: many\n")
    result = CliRunner().invoke(cli, ["open", "--config", str(tmp_path)])
    assert result.exit_code == 2
    assert "invalid configuration" in result.stderr


def test_log_tail_of_a_missing_log_is_empty(tmp_path):
    assert launcher._log_tail(tmp_path) == ""


def test_a_big_log_is_rotated_when_the_hub_starts(tmp_path, monkeypatch):
    spawned = []
    monkeypatch.setattr(launcher, "spawn_detached", lambda cmd, out: spawned.append(out) or 4242)
    monkeypatch.setattr(launcher, "LOG_KEEP_BYTES", 10)
    log = tmp_path / "tcf-hub.log"
    log.write_text("short")
    assert launcher.start_hub(["hub"], tmp_path) == 4242
    assert log.read_text() == "short"  # small: kept
    log.write_text("a long log of many starts")
    launcher.start_hub(["hub"], tmp_path)
    assert (tmp_path / "tcf-hub.log.1").read_text() == "a long log of many starts"
    assert not log.exists()  # the new hub starts a fresh one
    assert spawned == [log, log]
    assert (tmp_path / "tcf-hub.pid").read_text() == "4242\n"
