"""Start-up stays cheap: the server stack does not import what only one feature needs."""

from __future__ import annotations

import subprocess
import sys

import pytest

PROBE = """
import sys
import hub.cli  # first, as the tcf-hub command does
import hub.app
print(sorted(name for name in sys.argv[1:] if name in sys.modules))
"""

FEATURE_ONLY = [
    "pywebpush",
    "cryptography",
    "aiohttp",
    "docker",
    "apprise",
    "schemathesis",
    "alembic",
    "rich",
    "pygments",
]
"""Web Push sending and its keys, the Docker collector, Apprise channels, API fuzzing (tests
only), migrations (a child process) and the CLI's tables and httpx's command line (rich,
pygments) — none of them is imported by starting the hub."""


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
app = build_api(
    hub_settings(Path(sys.argv[1])), contextlib.asynccontextmanager(lambda app: iter(()))
)
app.openapi_schema  # built on the first /schema request
print(sorted(name for name in ("polyfactory", "faker") if name in sys.modules))
"""


def test_building_the_api_generates_no_examples(tmp_path):
    """The binary leaves out polyfactory and faker (Litestar's example generation; faker alone
    doubled start-up), and the OpenAPI schema is built on the first /schema request: no
    response may ask for generated examples, or the binary cannot serve its schema."""
    done = subprocess.run(
        [sys.executable, "-c", BUILD_PROBE, str(tmp_path)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


CLI_PROBE = """
import sys
from hub.cli import cli
try:
    cli(sys.argv[1:], standalone_mode=False)
except SystemExit:
    pass
SERVER = ("sqlalchemy", "litestar", "uvicorn", "alembic")
print(sorted(name for name in SERVER if name in sys.modules))
"""


@pytest.mark.parametrize(
    "args",
    [["--version"], ["ctl", "--help"], ["ctl", "alerts", "list", "--help"], ["agent", "--help"]],
)
def test_version_ctl_and_agent_do_not_import_the_server_stack(args):
    done = subprocess.run(
        [sys.executable, "-c", CLI_PROBE, *args], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_the_cli_probe_sees_the_server_stack_of_serve():
    done = subprocess.run(
        [sys.executable, "-c", CLI_PROBE, "serve", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "uvicorn" in done.stdout.strip().splitlines()[-1]
