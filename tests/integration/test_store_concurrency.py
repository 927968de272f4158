"""A store that stays locked by another writer past the busy timeout answers 503 with
Retry-After (agents keep the batch and send it again), never 500."""

from __future__ import annotations

import sqlite3

from litestar.testing import AsyncTestClient

from tests.integration.conftest import Hub


async def test_a_store_locked_past_the_busy_timeout_answers_503(make_hub, clock, tmp_path):
    app = make_hub("", "alerts: {}\n")
    async with AsyncTestClient(app=app) as client:
        hub = Hub(client, app.state.hub, clock)
        blocker = sqlite3.connect(hub.state.settings.data_dir / "hub.db", timeout=0)
        blocker.execute("BEGIN IMMEDIATE")
        try:
            response = await client.post(
                "/api/v1/silences",
                json={"matchers": ["host=a"], "duration": "1h", "comment": "x"},
                headers=hub.auth,
                timeout=30,
            )
        finally:
            blocker.rollback()
            blocker.close()
        assert response.status_code == 503
        assert response.headers["retry-after"] == "1"
        assert "busy" in response.json()["detail"]
