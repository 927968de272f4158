"""Start-up stays cheap: the server stack does not import what only one feature needs."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
import hub.app
import hub.cli
print(sorted(name for name in sys.argv[1:] if name in sys.modules))
"""

FEATURE_ONLY = ["pywebpush", "aiohttp", "docker", "apprise", "schemathesis", "alembic"]
"""Web Push sending, the Docker collector, Apprise channels, API fuzzing (tests only) and
migrations (a child process) — none of them is imported by starting the hub."""


def test_the_server_stack_imports_no_feature_only_dependency():
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *FEATURE_ONLY], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


def test_the_probe_sees_an_imported_module():
    done = subprocess.run(
        [sys.executable, "-c", PROBE, "hub.app", "docker"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "['hub.app']"


BUILD_PROBE = """
import contextlib, sys
from pathlib import Path
from hub.api import build_api
from tests.helpers import hub_settings
build_api(hub_settings(Path(sys.argv[1])), contextlib.asynccontextmanager(lambda app: iter(())))
print(sorted(name for name in ("polyfactory", "faker") if name in sys.modules))
"""


def test_building_the_api_generates_no_examples(tmp_path):
    """The binary leaves out polyfactory and faker (Litestar's example generation; faker alone
    doubled start-up), and build_api makes the OpenAPI schema at start: no response may ask
    for generated examples, or the binary cannot start."""
    done = subprocess.run(
        [sys.executable, "-c", BUILD_PROBE, str(tmp_path)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
