"""Fixtures shared by every test package."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hub.lib.clock import ManualClock


@pytest.fixture
def clock() -> ManualClock:
    """A clock that only moves when the test says so."""
    return ManualClock(datetime(2026, 11, 26, 12, 0, tzinfo=UTC))


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """The URL of an empty store on each backend."""
    from tests.backends import backend_url

    with backend_url(request.param, tmp_path) as url:
        yield url
