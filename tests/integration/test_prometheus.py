"""A real Prometheus, configured from config/prometheus.yml, scrapes the hub and answers queries."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from hub.domain.samples import METRICS
from tests.helpers import free_port, hub_settings, serve_hub

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "config" / "prometheus.yml"
DASHBOARD = ROOT / "packaging" / "grafana" / "tcf-hub.json"
MEMORY = METRICS["memory_usage"]


def require(binary: str) -> str:
    """The path of ``binary``: a skip when it is missing, a failure in CI (which installs it)."""
    path = shutil.which(binary)
    if path is None:
        reason = f"{binary} not installed: `make prometheus` installs Debian's package (as root)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return path


def scrape_config(target: str, token_file: Path) -> str:
    """The shipped config with the test's target, token file and a 1 s scrape interval."""
    text = SHIPPED.read_text()
    for old, new in [
        ('targets: ["127.0.0.1:3001"]', f'targets: ["{target}"]'),
        ("credentials_file: /etc/prometheus/tcf-hub.token", f"credentials_file: {token_file}"),
        ("scrape_interval: 10s", "scrape_interval: 1s"),
    ]:
        assert text.count(old) == 1, f"config/prometheus.yml no longer has {old!r} once"
        text = text.replace(old, new)
    return text


@contextlib.contextmanager
def prometheus(config: Path, data: Path) -> Iterator[tuple[str, Path]]:
    """Run Prometheus on a free port until the block ends; yields its URL and its log file."""
    port = free_port()
    log = data.parent / "prometheus.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                require("prometheus"),
                f"--config.file={config}",
                f"--storage.tsdb.path={data}",
                f"--web.listen-address=127.0.0.1:{port}",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield f"http://127.0.0.1:{port}", log
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def poll(what: str, probe: Any, timeout: float = 30.0) -> Any:
    """Call ``probe`` until it returns something truthy; fail naming ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.TransportError):
            result = probe()
            if result:
                return result
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_shipped_config_is_valid_for_promtool():
    promtool = require("promtool")
    check = subprocess.run(
        [promtool, "check", "config", "--syntax-only", str(SHIPPED)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_prometheus_scrapes_hub_metrics_with_the_token(tmp_path):
    promtool = require("promtool")
    # One collection at start and none after it, so the stored value stays the one scraped.
    settings = hub_settings(tmp_path, 'collection:\n  interval: 3600\n  docker: "off"\n')
    with serve_hub(settings) as hub, hub.api() as api:

        def stored_memory() -> dict[str, Any] | None:
            rows = api.get("/api/v1/metrics/current").raise_for_status().json()
            return next((r for r in rows if r["name"] == "memory_usage"), None)

        stored = poll("the hub's first collection", stored_memory)
        config = tmp_path / "prometheus.yml"
        config.write_text(
            scrape_config(f"127.0.0.1:{settings.port}", settings.data_dir / "admin.token")
        )
        check = subprocess.run(
            [promtool, "check", "config", str(config)], capture_output=True, text=True, check=False
        )
        assert check.returncode == 0, check.stdout + check.stderr

        with (
            prometheus(config, tmp_path / "tsdb") as (url, log),
            httpx.Client(base_url=url) as prom,
        ):

            def scraped() -> list[dict[str, Any]]:
                answer = prom.get("/api/v1/query", params={"query": MEMORY.prometheus_name})
                return list(answer.raise_for_status().json()["data"]["result"])

            try:
                result = poll(f"{MEMORY.prometheus_name} in Prometheus", scraped)
            except AssertionError:
                targets: Any = "unknown"
                with contextlib.suppress(httpx.HTTPError):
                    targets = prom.get("/api/v1/targets").json()["data"]["activeTargets"]
                raise AssertionError(f"targets: {targets}\nlog:\n{log.read_text()}") from None

            # Every query of the Grafana dashboard runs on this Prometheus ($host: all hosts).
            dashboard = json.loads(DASHBOARD.read_text())
            for target in [t for p in dashboard["panels"] for t in p.get("targets", [])]:
                query = target["expr"].replace("$host", ".*")
                answer = prom.get("/api/v1/query", params={"query": query})
                assert answer.status_code == 200, f"{query}: {answer.text}"
                if MEMORY.prometheus_name in query and 'container=""' in query:  # host memory
                    assert answer.json()["data"]["result"], f"{query} shows nothing"

    [series] = result
    assert series["metric"]["__name__"] == MEMORY.prometheus_name
    assert series["metric"]["host"] == stored["labels"]["host"]
    assert series["metric"]["job"] == "tcf-hub"
    assert float(series["value"][1]) == pytest.approx(stored["value"] * MEMORY.prometheus_scale)
