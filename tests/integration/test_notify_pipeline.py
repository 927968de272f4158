"""Alert changes through routes, groups, silences, maintenance and inhibition to a real
receiver, with the store and a manual clock (ALERTING-SEMANTICS behaviours 10, 15, 16)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from litestar.testing import AsyncTestClient

from tests.helpers import receiver
from tests.integration.conftest import Hub

RULES = """
alerts:
  container_down:
    metric: container_running
    operator: "<"
    threshold: 1
    severity: critical
  host_down:
    metric: host_up
    operator: "<"
    threshold: 1
    severity: critical
  cpu_high:
    metric: cpu_usage
    threshold: 80
routes:
  group_by: [alertname, host]
maintenance:
  - name: saturday-upgrades
    matchers: ['host="lab"']
    time_intervals: [{weekdays: [saturday]}]
"""


@asynccontextmanager
async def running(make_hub: Callable[..., object], clock) -> AsyncIterator[tuple[Hub, object]]:
    with receiver() as peer:
        app = make_hub(f"channels:\n  ops:\n    type: webhook\n    url: {peer.url}\n", RULES)
        async with AsyncTestClient(app=app) as client:  # type: ignore[arg-type]
            yield Hub(client, app.state.hub, clock), peer  # type: ignore[attr-defined]


async def settle(hub: Hub, seconds: float = 2.0) -> int:
    """Let group_wait pass, flush the groups and deliver; returns notifications delivered."""
    hub.clock.advance(seconds)
    await hub.state.jobs.notify()
    return await hub.state.deliverer.deliver_due()


async def test_10_five_containers_dying_at_once_are_one_notification(make_hub, clock):
    async with running(make_hub, clock) as (hub, peer):
        for name in ("a", "b", "c", "d", "e"):
            await hub.feed("container_running", 0, container=name)
        assert await hub.state.deliverer.deliver_due() == 0  # still inside group_wait
        assert await settle(hub) == 1
        (body,) = peer.wait(1)
        assert body["groupLabels"] == {"alertname": "container_down", "host": "box"}
        assert sorted(a["labels"]["container"] for a in body["alerts"]) == list("abcde")


async def test_10_an_alert_resolving_inside_group_wait_sends_nothing(make_hub, clock):
    async with running(make_hub, clock) as (hub, peer):
        await hub.feed("cpu_usage", 95)
        clock.advance(1)
        await hub.feed("cpu_usage", 10)
        assert await settle(hub) == 0
        assert peer.bodies == []


async def test_16_silence_mutes_until_expired_then_notifies_at_the_next_tick(make_hub, clock):
    async with running(make_hub, clock) as (hub, peer):
        created = await hub.client.post(
            "/api/v1/silences",
            json={"matchers": ["alertname=cpu_high"], "duration": "1h", "comment": "load test"},
            headers=hub.auth,
        )
        assert created.status_code == 201, created.text
        silence = created.json()
        assert (silence["state"], silence["created_by"]) == ("active", "admin")
        await hub.feed("cpu_usage", 95)
        assert await settle(hub) == 0

        expired = await hub.client.post(
            f"/api/v1/silences/{silence['id']}/expire", headers=hub.auth
        )
        assert expired.json()["state"] == "expired"
        again = await hub.client.post(f"/api/v1/silences/{silence['id']}/expire", headers=hub.auth)
        assert again.status_code == 409
        assert await settle(hub, 300) == 1  # the next group_interval tick
        assert peer.wait(1)[0]["alerts"][0]["labels"]["alertname"] == "cpu_high"


async def test_silence_requests_are_validated(make_hub, clock):
    async with running(make_hub, clock) as (hub, _):
        for body, reason in (
            ({"matchers": [], "duration": "1h", "comment": "x"}, "matchers"),
            ({"matchers": ["host=~.*"], "duration": "1h", "comment": "x"}, "every"),
            ({"matchers": ["host=a"], "duration": "soon", "comment": "x"}, "duration"),
            ({"matchers": ["host=a"], "comment": "x"}, "ends_at"),
            ({"matchers": ["host=a"], "duration": "1h", "comment": ""}, "comment"),
        ):
            response = await hub.client.post("/api/v1/silences", json=body, headers=hub.auth)
            assert response.status_code == 400, (body, response.text)
            assert reason in response.json()["detail"], response.text
        missing = await hub.client.post("/api/v1/silences/nope/expire", headers=hub.auth)
        assert missing.status_code == 404
        listed = await hub.client.get("/api/v1/silences", headers=hub.auth)
        assert listed.json() == []


async def test_15_a_firing_host_down_mutes_that_hosts_other_alerts(make_hub, clock):
    async with running(make_hub, clock) as (hub, peer):
        await hub.feed("host_up", 0)
        await hub.feed("cpu_usage", 95)
        await hub.feed("cpu_usage", 95, host="other")
        assert await settle(hub) == 2
        bodies = peer.wait(2)
        told = sorted(
            (b["alerts"][0]["labels"]["alertname"], b["alerts"][0]["labels"]["host"])
            for b in bodies
        )
        assert told == [("cpu_high", "other"), ("host_down", "box")]
        await hub.feed("host_up", 1)  # the host is back: its cpu alert is news at the next tick
        await hub.feed("cpu_usage", 95)
        assert await settle(hub, 300) == 2  # host_down resolved + cpu_high on box
        statuses = sorted(
            (b["status"], b["alerts"][0]["labels"]["alertname"]) for b in peer.wait(4)[2:]
        )
        assert statuses == [("firing", "cpu_high"), ("resolved", "host_down")]


async def test_maintenance_window_mutes_matching_alerts_on_its_days(make_hub, clock):
    async with running(make_hub, clock) as (hub, peer):
        assert clock.now().strftime("%A") != "Saturday"
        await hub.feed("cpu_usage", 95, host="lab")
        assert await settle(hub) == 1
        await hub.feed("cpu_usage", 10, host="lab")
        assert await settle(hub, 300) == 1  # resolved
        clock.advance((5 - clock.now().weekday()) % 7 * 86400)  # the next Saturday
        await hub.feed("cpu_usage", 95, host="lab")  # muted by the window
        await hub.feed("cpu_usage", 95, host="lab2")
        assert await settle(hub) == 1
        told = [(b["status"], b["alerts"][0]["labels"]["host"]) for b in peer.wait(3)]
        assert told == [("firing", "lab"), ("resolved", "lab"), ("firing", "lab2")]
        clock.advance(86400)  # Sunday: the window is over, lab is news at the next tick
        await hub.feed("cpu_usage", 95, host="lab")
        assert await settle(hub, 300) == 2  # lab at last, and lab2 repeated after 4 h
        later = sorted((b["alerts"][0]["labels"]["host"], b["status"]) for b in peer.wait(5)[3:])
        assert later == [("lab", "firing"), ("lab2", "firing")]
