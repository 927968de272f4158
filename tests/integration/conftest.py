"""The real app on a real, migrated SQLite file, with jobs driven by hand and a manual clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from litestar.testing import AsyncTestClient

from hub.api.state import HubState
from hub.app import create_app
from hub.domain.samples import Sample
from hub.lib.clock import ManualClock
from hub.store import upgrade
from tests.helpers import hub_settings


@dataclass
class Hub:
    """An app under test: its HTTP client, wired state and clock."""

    client: AsyncTestClient
    state: HubState
    clock: ManualClock

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.state.admin_token}"}

    async def feed(self, name: str, value: float, **labels: str) -> None:
        """Store one sample now, evaluate rules and flush due notification groups, as a
        collection and the notify job would."""
        sample = Sample(name, {"host": "box", **labels}, value, self.clock.now().timestamp())
        await self.state.tsdb.write([sample])
        await self.state.jobs.evaluate()
        await self.state.jobs.notify()


@pytest.fixture
def make_hub(tmp_path, clock):
    """Build a hub from monitoring.yml / alerts.yml texts."""

    def build(monitoring: str = "", alerts: str | None = "alerts: {}\n"):
        settings = hub_settings(tmp_path, monitoring, alerts)
        return create_app(settings, clock=clock, start_jobs=False, migrate=upgrade)

    return build


@pytest.fixture
async def hub(make_hub, clock) -> AsyncIterator[Hub]:
    """A hub with one rule, cpu_usage > 80 for 60 s, and no channels."""
    app = make_hub(
        alerts="alerts:\n  cpu_high:\n    metric: cpu_usage\n    threshold: 80\n"
        "    duration: 60\n    severity: warning\n    message: CPU high\n"
    )
    async with AsyncTestClient(app=app) as client:
        yield Hub(client, app.state.hub, clock)
