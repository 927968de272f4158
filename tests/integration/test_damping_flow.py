"""Notification damping (a rule's Netdata-style ``delay``) through the real engine,
dispatcher, outbox and a webhook receiver, with a manual clock."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient

from hub.lib.yamlconf import ConfigError
from hub.rules.parse import parse_rules_text
from tests.helpers import receiver
from tests.integration.conftest import Hub

RULES = """
alerts:
  cpu_high:
    metric: cpu_usage
    threshold: 80
    {delay}
routes:
  group_wait: 1s
  group_interval: 10s
  repeat_interval: 1h
"""


async def drive(make_hub, clock, delay: str, values: list[float]) -> list[dict]:
    """Feed ``values`` 10 s apart, running the notify and deliver jobs in between."""
    with receiver() as peer:
        channels = f"channels:\n  ops:\n    type: webhook\n    url: {peer.url}\n"
        app = make_hub(channels, RULES.format(delay=delay))
        async with AsyncTestClient(app=app) as client:
            hub = Hub(client, app.state.hub, clock)
            for value in values:
                await hub.feed("cpu_usage", value)
                for _ in range(5):
                    clock.advance(2)
                    await hub.state.jobs.notify()
                    await hub.state.deliverer.deliver_due()
        return list(peer.bodies)


SPIKE = [10.0, 95.0, 95.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0]
"""Above the threshold for 20 s."""


async def test_a_spike_shorter_than_the_up_delay_is_never_notified(make_hub, clock):
    assert await drive(make_hub, clock, "delay: up 30s down 1m", SPIKE) == []


async def test_without_a_delay_the_same_spike_is_notified(make_hub, clock):
    bodies = await drive(make_hub, clock, "", SPIKE)
    assert [b["status"] for b in bodies] == ["firing", "resolved"]


async def test_a_lasting_breach_is_notified_once_its_delay_is_over(make_hub, clock):
    values = [95.0] * 6 + [10.0] * 10
    bodies = await drive(make_hub, clock, "delay: up 30s down 30s", values)
    assert [b["status"] for b in bodies] == ["firing", "resolved"]


def test_a_bad_delay_is_refused_naming_the_field():
    with pytest.raises(ConfigError) as caught:
        parse_rules_text(RULES.format(delay="delay: up soon"))
    assert caught.value.field == "alerts.cpu_high.delay"
