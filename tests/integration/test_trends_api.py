"""Trends, capacity forecasts and week-over-week through the API and `ctl metrics trend`."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from click.testing import CliRunner

from hub.cli import cli
from hub.domain.samples import Sample
from hub.store import open_store, upgrade
from hub.tsdb import TSDB
from tests.helpers import hub_settings, serve_hub

DAY = 86400


async def feed_disk(hub, days: int = 3, start: float = 80.0, per_day: float = 2.0) -> None:
    """Disk usage rising ``per_day`` percent, hourly, ending now."""
    now = hub.clock.now().timestamp()
    samples = [
        Sample(
            "disk_usage",
            {"host": "box", "mount": "/"},
            start + per_day * (h / 24 - days),
            now - (days * 24 - h) * 3600,
        )
        for h in range(days * 24 + 1)
    ]
    await hub.state.tsdb.write(samples)


async def test_disk_filling_2_percent_a_day_from_80_is_full_in_10_days(hub):
    await feed_disk(hub)
    response = await hub.client.get(
        "/api/v1/series/forecast", params={"match": "disk_usage", "window": "7d"}, headers=hub.auth
    )
    (forecast,) = response.json()
    assert forecast["labels"]["mount"] == "/"
    # Fitted on 10-minute bucket averages at bucket midpoints: within 0.1 % of the truth.
    assert forecast["slope_per_day"] == pytest.approx(2.0, rel=1e-3)
    assert forecast["current"] == pytest.approx(80.0, rel=1e-3)
    assert forecast["threshold"] == 100
    assert forecast["crossing"]["reason"] == "crossing"
    assert forecast["crossing"]["in_seconds"] == pytest.approx(10 * DAY, rel=1e-3)


async def test_explicit_threshold_horizon_and_direction(hub):
    await feed_disk(hub)
    params = {"match": "disk_usage", "threshold": 90, "horizon": "2d"}
    (beyond,) = (
        await hub.client.get("/api/v1/series/forecast", params=params, headers=hub.auth)
    ).json()
    assert beyond["crossing"]["reason"] == "beyond_horizon"  # 90 is 5 days away
    params = {"match": "disk_usage", "threshold": 50, "direction": "down"}
    (away,) = (
        await hub.client.get("/api/v1/series/forecast", params=params, headers=hub.auth)
    ).json()
    assert away["crossing"]["reason"] == "moving_away"


async def test_metric_without_a_natural_threshold_has_no_crossing(hub):
    await hub.state.tsdb.write(
        [
            Sample("system_load", {"period": "1m"}, 1.0, hub.clock.now().timestamp() - 60 * i)
            for i in range(5)
        ]
    )
    (row,) = (
        await hub.client.get(
            "/api/v1/series/forecast", params={"match": "system_load"}, headers=hub.auth
        )
    ).json()
    assert row["threshold"] is None
    assert row["crossing"] is None


async def test_week_over_week_compares_means(hub):
    now = hub.clock.now().timestamp()
    week = 7 * DAY
    await hub.state.tsdb.write(
        [Sample("cpu_usage", {"host": "box"}, 20.0, now - week - 3600 * h) for h in range(1, 20)]
        + [Sample("cpu_usage", {"host": "box"}, 30.0, now - 3600 * h) for h in range(0, 20)]
    )
    (row,) = (
        await hub.client.get(
            "/api/v1/series/compare",
            params={"match": "cpu_usage", "window": "1d"},
            headers=hub.auth,
        )
    ).json()
    assert row["comparison"]["current_mean"] == 30.0
    assert row["comparison"]["previous_mean"] == 20.0
    assert row["comparison"]["change_percent"] == pytest.approx(50.0)


@pytest.mark.parametrize(
    ("path", "params", "reason"),
    [
        ("/api/v1/series/forecast", {"match": "disk_usage", "window": "soon"}, "bad `window`"),
        ("/api/v1/series/forecast", {"match": "disk_usage", "window": "90d"}, "at most 31 days"),
        ("/api/v1/series/forecast", {"match": "disk_usage", "horizon": "x"}, "bad `horizon`"),
        ("/api/v1/series/compare", {"match": "disk{"}, "bad `match`"),
        ("/api/v1/series/forecast", {"match": "disk_usage", "direction": "sideways"}, ""),
    ],
)
async def test_bad_trend_queries_are_400(hub, path, params, reason):
    response = await hub.client.get(path, params=params, headers=hub.auth)
    assert response.status_code == 400
    assert reason in response.json()["detail"]


def test_ctl_metrics_trend_prints_the_forecast_for_a_metric_or_a_service(tmp_path):
    settings = hub_settings(tmp_path, "", "alerts: {}\n")
    settings.data_dir.mkdir(parents=True)

    async def seed() -> None:
        upgrade(settings.database_url)
        store = open_store(settings.database_url)
        now = time.time()
        await TSDB(store).write(
            [
                Sample(
                    "disk_usage",
                    {"host": "box", "mount": "/"},
                    80 + 2 * (h / 24 - 3),
                    now - (72 - h) * 3600,
                )
                for h in range(73)
            ]
            + [Sample("error_rate", {"service": "api"}, 1.0, now - 60 * m) for m in range(5)]
        )
        await store.close()

    asyncio.run(seed())
    with serve_hub(settings) as hub:
        base = ["ctl", "--url", hub.url, "--token", hub.token, "metrics", "trend"]
        text = CliRunner().invoke(cli, [*base, "disk_usage"])
        assert text.exit_code == 0, text.output
        assert "reaches 100 in 10.0 days" in text.output
        assert "+2" in text.output
        service = CliRunner().invoke(cli, [*base, "api", "--json"])
        rows = json.loads(service.output)["forecasts"]
        assert [r["name"] for r in rows] == ["error_rate"]
        missing = CliRunner().invoke(cli, [*base, "nothing_here"])
        assert missing.exit_code == 1
