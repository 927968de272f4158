"""Playwright driving Debian's Chromium (never a downloaded browser)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Playwright, sync_playwright

CHROMIUM = next(
    (
        p
        for p in ("/usr/lib/chromium/chromium", shutil.which("chromium") or "")
        if p and Path(p).exists()
    ),
    None,
)
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DIST = Path(__file__).resolve().parents[2] / "hub" / "web" / "dist" / "index.html"


@pytest.fixture
def playwright() -> Iterator[Playwright]:
    """A Playwright driver per test: it runs its own event loop in this thread, which must not
    outlive the test (async tests that run after it would find a closed loop)."""
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (make test installs it as root)")
    if not DIST.is_file():
        pytest.skip("the dashboard is not built (make build)")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture
def browser(playwright: Playwright) -> Iterator[Browser]:
    """A headless Chromium."""
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    yield browser
    browser.close()


@pytest.fixture
def devices(playwright: Playwright) -> dict:
    """Playwright's device descriptors (Pixel 7 and friends)."""
    return dict(playwright.devices)


@pytest.fixture
def artifacts() -> Path:
    """Where screenshots go (look at them)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
