"""alerts.yml reloaded on file change and on SIGHUP, validated, keeping the last good rules
when the new file is invalid (C2). A real file in a temporary config dir."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
from litestar.testing import AsyncTestClient

from tests.helpers import free_port
from tests.integration.conftest import Hub

FIRST = "alerts:\n  cpu_high:\n    metric: cpu_usage\n    threshold: 80\n"
SECOND = FIRST + "  disk_full:\n    metric: disk_usage\n    threshold: 90\n"
BROKEN = "alerts:\n  cpu_high:\n    metric: cpu_usage\n    threshold: eighty\n"


def rewrite(hub: Hub, text: str) -> None:
    path = hub.state.settings.alerts_file
    assert path is not None
    path.write_text(text)
    stat = path.stat()  # make the change visible even within one mtime tick
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def names(hub: Hub) -> list[str]:
    return [r.name for r in hub.state.engine.rules]


async def test_a_changed_file_is_picked_up_by_the_watch(make_hub, clock):
    app = make_hub("", FIRST)
    async with AsyncTestClient(app=app) as client:
        hub = Hub(client, app.state.hub, clock)
        assert await hub.state.catalog.reload_if_changed() is False  # nothing changed yet
        rewrite(hub, SECOND)
        assert await hub.state.catalog.reload_if_changed() is True
        assert names(hub) == ["cpu_high", "disk_full"]
        await hub.feed("disk_usage", 99, mount="/")  # in force without a restart
        (alert,) = (await client.get("/api/v1/alerts", headers=hub.auth)).json()
        assert alert["rule"] == "disk_full"


async def test_an_invalid_file_keeps_the_last_good_rules_and_says_why(make_hub, clock, caplog):
    app = make_hub("", SECOND)
    async with AsyncTestClient(app=app) as client:
        hub = Hub(client, app.state.hub, clock)
        rewrite(hub, BROKEN)
        with caplog.at_level(logging.ERROR):
            assert await hub.state.catalog.reload_if_changed() is False
        assert names(hub) == ["cpu_high", "disk_full"]
        assert "alerts.yml:4: alerts.cpu_high.threshold" in caplog.text
        assert "last good rules stay" in caplog.text
        assert hub.state.catalog.last_error is not None
        assert await hub.state.catalog.reload_if_changed() is False  # not retried until changed
        rewrite(hub, FIRST)
        assert await hub.state.catalog.reload_if_changed() is True
        assert names(hub) == ["cpu_high"]
        assert hub.state.catalog.last_error is None


def test_sighup_makes_a_serving_hub_reload_and_keep_the_last_good_rules(tmp_path):
    config = tmp_path / "config"
    config.mkdir()
    alerts = config / "alerts.yml"
    alerts.write_text(FIRST)
    port = free_port()
    exe = Path(sys.executable).parent / "tcf-hub"
    command = [str(exe), "serve", "--config", str(config), "--data-dir", str(tmp_path / "data")]
    proc = subprocess.Popen(
        [*command, "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None

    def wait_for(text: str) -> str:
        for line in proc.stdout:  # type: ignore[union-attr]
            if text in line:
                return line
        raise AssertionError(f"the hub ended without saying {text!r}")

    try:
        wait_for("Application startup complete")
        token = (tmp_path / "data" / "admin.token").read_text().strip()
        with httpx.Client(
            base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"}
        ) as api:
            alerts.write_text(BROKEN)
            proc.send_signal(signal.SIGHUP)
            refused = wait_for("alerts.yml not reloaded (SIGHUP)")
            assert "alerts.cpu_high.threshold" in refused
            assert [r["name"] for r in api.get("/api/v1/rules").json()] == ["cpu_high"]
            alerts.write_text(SECOND)
            proc.send_signal(signal.SIGHUP)
            wait_for("alerts.yml reloaded (SIGHUP): 2 rules in force")
            assert [r["name"] for r in api.get("/api/v1/rules").json()] == ["cpu_high", "disk_full"]
    finally:
        proc.terminate()
        proc.communicate(timeout=20)
    assert proc.returncode in (0, -15)


async def test_routes_of_a_reloaded_file_are_used(make_hub, clock):
    app = make_hub("", FIRST)
    async with AsyncTestClient(app=app) as client:
        hub = Hub(client, app.state.hub, clock)
        rewrite(hub, FIRST + "routes:\n  group_by: [host]\n  group_wait: 7s\n")
        assert await hub.state.catalog.reload_if_changed() is True
        tree = hub.state.jobs.dispatcher.tree
        assert (tree.group_by, tree.group_wait) == (("host",), 7.0)
