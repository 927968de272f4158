"""Fixtures shared by every test package."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hub.lib.clock import ManualClock


@pytest.fixture
def clock() -> ManualClock:
    """A clock that only moves when the test says so."""
    return ManualClock(datetime(2026, 11, 26, 12, 0, tzinfo=UTC))
