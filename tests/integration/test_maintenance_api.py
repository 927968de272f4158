"""GET /api/v1/maintenance: alerts.yml's windows with their occurrences, reloads, bad input."""

from __future__ import annotations

import os

from litestar.testing import AsyncTestClient

from tests.integration.conftest import Hub

# The test clock starts at 2026-11-26T12:00Z (a Thursday; Berlin is UTC+1 then).
ALERTS = """\
alerts:
  cpu_high:
    metric: cpu_usage
    threshold: 80
maintenance:
  - name: nightly backup
    comment: disks are busy
    matchers: ["host=~db.*"]
    time_intervals:
      - times: [{start_time: "02:00", end_time: "03:00"}]
        location: Europe/Berlin
  - name: db upgrade
    start: 2026-11-26T11:00:00Z
    end: 2026-11-26T13:00:00Z
"""


async def test_windows_are_listed_with_their_occurrences(make_hub, clock):
    app = make_hub("", ALERTS)
    async with AsyncTestClient(app=app) as client:
        hub = Hub(client, app.state.hub, clock)
        response = await client.get("/api/v1/maintenance", headers=hub.auth)
        assert response.status_code == 200, response.text
        nightly, upgrade = response.json()
        assert nightly["name"] == "nightly backup"
        assert nightly["comment"] == "disks are busy"
        assert nightly["matchers"] == [{"label": "host", "op": "=~", "value": "db.*"}]
        assert nightly["kind"] == "recurring"
        assert nightly["active"] is False
        assert nightly["next_change"] == "2026-11-27T01:00:00Z"  # 02:00 in Berlin
        # Default range: 24 h back, 7 days ahead: 01:00Z on the 26th to the 3rd of December.
        starts = [o["start"] for o in nightly["occurrences"]]
        assert starts == [
            f"2026-{d}T01:00:00Z"
            for d in ("11-26", "11-27", "11-28", "11-29", "11-30", "12-01", "12-02", "12-03")
        ]
        assert nightly["occurrences"][0]["end"] == "2026-11-26T02:00:00Z"
        assert upgrade["kind"] == "one-off"
        assert upgrade["active"] is True
        assert upgrade["next_change"] == "2026-11-26T13:00:00Z"
        assert upgrade["occurrences"] == [
            {
                "start": "2026-11-26T11:00:00Z",
                "end": "2026-11-26T13:00:00Z",
                "clipped_start": False,
                "clipped_end": False,
            }
        ]

        clock.advance(2 * 3600)  # the upgrade is over
        (_, upgrade) = (await client.get("/api/v1/maintenance", headers=hub.auth)).json()
        assert upgrade["active"] is False
        assert upgrade["next_change"] is None


async def test_the_range_is_chosen_with_unix_seconds_or_iso_times(make_hub, clock):
    app = make_hub("", ALERTS)
    async with AsyncTestClient(app=app) as client:
        hub = Hub(client, app.state.hub, clock)
        params = {"from": "2026-11-26T12:00:00+00:00", "to": str(clock.now().timestamp() + 3600)}
        response = await client.get("/api/v1/maintenance", params=params, headers=hub.auth)
        nightly, upgrade = response.json()
        assert nightly["occurrences"] == []
        assert upgrade["occurrences"] == [
            {
                "start": "2026-11-26T12:00:00Z",
                "end": "2026-11-26T13:00:00Z",
                "clipped_start": True,
                "clipped_end": False,
            }
        ]


async def test_bad_ranges_are_400_with_the_reason(make_hub, clock):
    app = make_hub("", ALERTS)
    async with AsyncTestClient(app=app) as client:
        hub = Hub(client, app.state.hub, clock)
        cases = {
            "neither unix seconds nor": {"from": "yesterday"},
            "no UTC offset": {"to": "2026-11-27T00:00:00"},
            "must be unix seconds between": {"from": "nan"},
            "must be after": {"from": "1800000000", "to": "1700000000"},
            "limited to 31 days": {"from": "1700000000", "to": "1800000000"},
            "out of range": {"from": "0001-01-01T00:00:00+00:00", "to": "0001-01-02T00:00Z"},
        }
        for reason, params in cases.items():
            response = await client.get("/api/v1/maintenance", params=params, headers=hub.auth)
            assert response.status_code == 400, (params, response.text)
            assert reason in response.text, response.text


async def test_a_reloaded_alerts_file_changes_the_windows(make_hub, clock):
    app = make_hub("", "alerts: {}\n")
    async with AsyncTestClient(app=app) as client:
        hub = Hub(client, app.state.hub, clock)
        assert (await client.get("/api/v1/maintenance", headers=hub.auth)).json() == []
        path = hub.state.settings.alerts_file
        assert path is not None
        path.write_text(ALERTS)
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
        assert await hub.state.catalog.reload_if_changed() is True
        names = [
            w["name"] for w in (await client.get("/api/v1/maintenance", headers=hub.auth)).json()
        ]
        assert names == ["nightly backup", "db upgrade"]
