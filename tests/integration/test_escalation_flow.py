"""Escalation through the hub: steps page channels in turn until someone acknowledges, an
ack timeout pages again, resolve stops it (ALERTING-SEMANTICS behaviours 19, 20)."""

from __future__ import annotations

from contextlib import ExitStack

import pytest
from litestar.testing import AsyncTestClient

from hub.lib.yamlconf import ConfigError, parse_yaml
from hub.notify.policy import parse_policy
from tests.helpers import receiver
from tests.integration.conftest import Hub

RULES = """
alerts:
  api_down:
    metric: service_health
    threshold: 0
    severity: critical
routes:
  channels: [team]
  repeat_interval: 10m
escalation:
  policies:
    paging:
      severities: [critical]
      repeat: 1
      ack_timeout: 30m
      steps:
        - notify: [oncall]
          wait: 5m
        - notify: [lead]
          wait: 10m
"""


async def tick(hub: Hub, seconds: float) -> None:
    hub.clock.advance(seconds)
    await hub.state.jobs.notify()
    await hub.state.deliverer.deliver_due()


async def test_19_20_steps_ack_timeout_and_resolve(make_hub, clock):
    with ExitStack() as stack:
        peers = {name: stack.enter_context(receiver()) for name in ("team", "oncall", "lead")}
        monitoring = "channels:\n" + "".join(
            f"  {name}:\n    type: webhook\n    url: {peer.url}\n" for name, peer in peers.items()
        )
        app = make_hub(monitoring, RULES)
        async with AsyncTestClient(app=app) as client:
            hub = Hub(client, app.state.hub, clock)

            def count() -> dict[str, int]:
                return {name: len(peer.bodies) for name, peer in peers.items()}

            await hub.feed("service_health", 0, service="api")
            await tick(hub, 0)
            assert count() == {"team": 0, "oncall": 1, "lead": 0}  # step 1 at once
            await tick(hub, 2)
            assert count() == {"team": 1, "oncall": 1, "lead": 0}  # the route, after group_wait
            step = peers["oncall"].bodies[0]["alerts"][0]["annotations"]["escalation"]
            assert step == "paging step 1, pass 1"

            await tick(hub, 5 * 60 - 3)
            assert count()["lead"] == 0
            await tick(hub, 1)  # exactly 5 minutes after step 1
            assert count() == {"team": 1, "oncall": 1, "lead": 1}

            (alert,) = (await client.get("/api/v1/alerts", headers=hub.auth)).json()
            acked = await client.post(
                f"/api/v1/alerts/{alert['id']}/ack", json={"by": "sam"}, headers=hub.auth
            )
            assert acked.status_code == 200
            await tick(hub, 29 * 60)
            assert count() == {"team": 1, "oncall": 1, "lead": 1}  # no steps while acked

            await tick(hub, 60)  # 30 minutes after the ack, still firing: paged again
            assert count()["oncall"] == 2
            again = peers["oncall"].bodies[1]["alerts"][0]["annotations"]
            assert again["escalation_reason"] == "ack_timeout"
            assert again["previously_acknowledged_by"] == "sam"
            (alert,) = (await client.get("/api/v1/alerts", headers=hub.auth)).json()
            assert (alert["state"], alert["acknowledged_by"]) == ("firing", None)
            assert count()["team"] == 1  # acked: no repeats to the route until now
            await tick(hub, 300)
            assert count()["team"] == 2  # firing again: the route repeats at its next tick

            assert count()["lead"] == 2  # … and step 2 followed 5 minutes after the restart
            before = count()
            await hub.feed("service_health", 1, service="api")  # resolved
            await tick(hub, 3600)
            after = count()
            assert (after["oncall"], after["lead"]) == (before["oncall"], before["lead"])
            assert after["team"] == before["team"] + 1  # the route tells it resolved


ROUTED = """
alerts:
  api_down:
    metric: service_health
    threshold: 0
    severity: warning
routes:
  channels: [team]
  routes:
    - name: databases
      matchers: ['service="db"']
escalation:
  policies:
    dba:
      routes: [databases]
      steps:
        - notify: [dba]
    everyone_critical:
      severities: [critical]
      steps:
        - notify: [oncall]
"""


async def test_the_escalation_policy_is_chosen_by_the_route_an_alert_takes(make_hub, clock):
    with ExitStack() as stack:
        peers = {name: stack.enter_context(receiver()) for name in ("team", "dba", "oncall")}
        monitoring = "channels:\n" + "".join(
            f"  {name}:\n    type: webhook\n    url: {peer.url}\n" for name, peer in peers.items()
        )
        app = make_hub(monitoring, ROUTED)
        async with AsyncTestClient(app=app) as client:
            hub = Hub(client, app.state.hub, clock)
            await hub.feed("service_health", 0, service="api")  # a warning, not on the route
            await tick(hub, 0)
            assert [len(p.bodies) for p in peers.values()] == [0, 0, 0]
            await hub.feed("service_health", 0, service="db")  # takes the databases route
            await tick(hub, 0)
            assert len(peers["dba"].bodies) == 1
            assert peers["dba"].bodies[0]["alerts"][0]["labels"]["service"] == "db"
            assert len(peers["oncall"].bodies) == 0


def test_an_escalation_policy_naming_an_unknown_route_is_refused():
    doc = parse_yaml(ROUTED.replace("routes: [databases]", "routes: [dbs]"), "alerts.yml")
    with pytest.raises(ConfigError) as caught:
        parse_policy(doc, ["team", "dba", "oncall"])
    assert caught.value.field == "escalation.policies.dba.routes[0]"
    assert "unknown route 'dbs'" in caught.value.reason
