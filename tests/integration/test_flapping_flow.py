"""Flap detection through the real engine, dispatcher, outbox and a webhook receiver, with a
manual clock (Nagios weighted state change over 21 evaluations, 20/30 %)."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from tests.helpers import receiver
from tests.integration.conftest import Hub

RULES = """
alerts:
  cpu_high:
    metric: cpu_usage
    threshold: 80
routes:
  group_wait: 1s
  group_interval: 10s
  repeat_interval: 1h
"""


async def drive(make_hub, clock, values: list[float], extra: str = "") -> list[dict]:
    """Feed ``values`` to cpu_usage 10 s apart, delivering after each; returns the bodies."""
    with receiver() as peer:
        channels = f"channels:\n  ops:\n    type: webhook\n    url: {peer.url}\n"
        app = make_hub(channels, RULES + extra)
        async with AsyncTestClient(app=app) as client:
            hub = Hub(client, app.state.hub, clock)
            for value in values:
                await hub.feed("cpu_usage", value)
                clock.advance(2)
                await hub.state.jobs.notify()
                await hub.state.deliverer.deliver_due()
                clock.advance(8)
        return list(peer.bodies)


def flap_notes(bodies: list[dict]) -> list[str]:
    return [
        a["annotations"]["flapping"]
        for b in bodies
        for a in b["alerts"]
        if "flapping" in a["annotations"]
    ]


FLAPPING = [95.0, 10.0] * 8  # a state change at every evaluation
SETTLED_HIGH = [95.0] * 25


async def test_a_flapping_alert_is_said_once_then_held_until_it_settles(make_hub, clock):
    bodies = await drive(make_hub, clock, FLAPPING + SETTLED_HIGH)
    notes = flap_notes(bodies)
    assert notes == ["flapping_started", "flapping_stopped"]
    started = next(i for i, b in enumerate(bodies) if flap_notes([b]) == ["flapping_started"])
    stopped = next(i for i, b in enumerate(bodies) if flap_notes([b]) == ["flapping_stopped"])
    # before flapping was detected the changes were notified as usual ...
    assert started >= 2
    # ... and between the two notices nothing at all was sent
    assert stopped == started + 1


async def test_normal_notifications_resume_when_flapping_stops(make_hub, clock):
    bodies = await drive(make_hub, clock, FLAPPING + SETTLED_HIGH + [10.0, 10.0])
    stopped = next(i for i, b in enumerate(bodies) if flap_notes([b]) == ["flapping_stopped"])
    after = bodies[stopped + 1 :]
    assert [b["status"] for b in after] == ["resolved"]  # the recovery is notified again


async def test_without_flap_detection_every_change_is_notified(make_hub, clock):
    ours = await drive(make_hub, clock, FLAPPING + SETTLED_HIGH)
    naive = await drive(make_hub, clock, FLAPPING + SETTLED_HIGH, "flapping: {enabled: false}\n")
    assert flap_notes(naive) == []
    assert len(naive) >= len(FLAPPING) - 1  # every firing and every resolve
    assert len(ours) < len(naive) / 2


async def test_flapping_survives_a_restart(make_hub, clock):
    with receiver() as peer:
        channels = f"channels:\n  ops:\n    type: webhook\n    url: {peer.url}\n"
        app = make_hub(channels, RULES)
        async with AsyncTestClient(app=app) as client:
            hub = Hub(client, app.state.hub, clock)
            for value in FLAPPING:
                await hub.feed("cpu_usage", value)
                clock.advance(10)
            (fingerprint,) = hub.state.jobs.dispatcher.flaps.records()
        again = make_hub(channels, RULES)
        async with AsyncTestClient(app=again) as client:
            hub = Hub(client, again.state.hub, clock)
            await hub.feed("cpu_usage", 95)  # the first evaluation reads the stored records
            assert hub.state.jobs.dispatcher.flaps.flapping(fingerprint)
