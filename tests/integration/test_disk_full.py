"""The data dir on a small tmpfs filled to the last byte: the hub keeps answering its API, and
writes again once space returns."""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.helpers import hub_settings, serve_hub


@contextlib.contextmanager
def small_tmpfs(where: Path, size: str) -> Iterator[Path]:
    where.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"mount -t tmpfs is not permitted here: {mounted.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def fill(folder: Path) -> Path:
    """Write a file until the file system is full; returns it."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (65536, 512, 1):  # big blocks, then whatever is left
            with contextlib.suppress(OSError):
                while os.write(fd, b"\0" * size):
                    pass
    finally:
        os.close(fd)
    return filler


def stored(api: httpx.Client, since: float) -> int:
    series = api.get("/api/v1/series", params={"match": "cpu_usage", "from": since}).json()
    return len(series[0]["timestamps"]) if series else 0


def wait_for(check, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline
        time.sleep(0.25)


def test_a_full_disk_keeps_the_api_up_and_writing_resumes_when_space_returns(tmp_path):
    with small_tmpfs(tmp_path / "mnt", "24m") as mnt:
        settings = hub_settings(mnt, "collection:\n  interval: 1\n  docker: off\n", "alerts: {}\n")
        with serve_hub(settings) as hub, hub.api() as api:
            start = time.time()
            wait_for(lambda: stored(api, start) >= 2)
            filler = fill(mnt)
            full_since = time.time()
            time.sleep(4)  # collections fail to store meanwhile
            assert httpx.get(f"{hub.url}/healthz").status_code == 200
            assert api.get("/api/v1/metrics/current").status_code == 200
            assert api.get("/api/v1/alerts").status_code == 200
            ready = httpx.get(f"{hub.url}/readyz")
            assert ready.status_code == 200, ready.text  # jobs still run; the store answers
            during = stored(api, full_since + 1.5)

            filler.unlink()
            back = time.time()
            wait_for(lambda: stored(api, back) >= 2)  # writing again
            assert during <= 1  # nothing could be written while the disk was full
