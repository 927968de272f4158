"""A noisy day replayed through the default rules: notifications of a naive threshold check
versus the hub's (``python -m tests.bench replay``; ``tests/integration/test_replay.py``
asserts on the same run).

The day is generated deterministically (seeded), one sample a minute per series, shaped like a
recording of a small server: CPU and memory wander with one-minute spikes past their
thresholds, a service blips down for single minutes, a second service flaps (down two minutes,
up two) for 90 minutes in the morning, and one real outage: ``api`` is down 15:00 – 15:30.

*Naive* notifies every change of every series' breach of a rule's threshold (firing and
resolved), as a bare threshold check would. *Ours* is the real hub with the shipped
``config/alerts.yml`` (``for`` durations, grouping, flap detection, …) notifying one webhook
receiver on 127.0.0.1. The seed's service_down rule lists Slack and email targets, which this
version cannot deliver, so its ``notifications`` are dropped and it follows the routes to the
webhook like the other rules.
"""

from __future__ import annotations

import asyncio
import random
import re
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from litestar.testing import AsyncTestClient

from hub.app import create_app
from hub.domain.samples import Sample
from hub.lib.clock import ManualClock
from hub.rules.parse import parse_rules_text
from hub.store import upgrade
from tests.helpers import hub_settings, receiver

MINUTES = 24 * 60
START = datetime(2026, 11, 30, tzinfo=UTC)
SEED_RULES = Path(__file__).resolve().parents[2] / "config" / "alerts.yml"
OUTAGE = (15 * 60, 15 * 60 + 30)
"""Minutes of the day when ``api`` is really down."""
FLAPPING = (9 * 60, 10 * 60 + 30)
"""Minutes of the day when ``web`` flaps."""

Series = tuple[str, tuple[tuple[str, str], ...]]


def default_rules_text() -> str:
    """The shipped alerts.yml without the seed's undeliverable per-rule notifications."""
    text = SEED_RULES.read_text()
    return re.sub(r"\n    notifications:\n(?:      - .*\n)+", "\n", text)


def noisy_day(seed: int = 5) -> dict[Series, list[float]]:
    """One value a minute for each series of the day (see the module docstring)."""
    rng = random.Random(seed)
    cpu = [rng.uniform(15, 45) for _ in range(MINUTES)]
    memory = [rng.uniform(50, 70) for _ in range(MINUTES)]
    for minute in rng.sample(range(MINUTES), 40):  # one-minute CPU spikes
        cpu[minute] = rng.uniform(85, 99)
    for minute in rng.sample(range(0, MINUTES, 7), 6):  # four-minute CPU bursts
        for m in range(minute, min(minute + 4, MINUTES)):
            cpu[m] = rng.uniform(82, 95)
    for minute in rng.sample(range(MINUTES), 15):  # two-minute memory spikes
        for m in range(minute, min(minute + 2, MINUTES)):
            memory[m] = rng.uniform(91, 97)
    api = [1.0] * MINUTES
    quiet = [m for m in range(MINUTES) if not OUTAGE[0] - 5 <= m <= OUTAGE[1] + 5]
    for minute in rng.sample(quiet, 20):  # single failed probes
        api[minute] = 0.0
    for minute in range(*OUTAGE):
        api[minute] = 0.0
    web = [1.0] * MINUTES
    for minute in range(*FLAPPING):
        web[minute] = 0.0 if (minute - FLAPPING[0]) % 4 < 2 else 1.0
    host = (("host", "box"),)
    return {
        ("cpu_usage", host): cpu,
        ("memory_usage", host): memory,
        ("service_health", (*host, ("service", "api"))): api,
        ("service_health", (*host, ("service", "web"))): web,
    }


def naive_notifications(day: dict[Series, list[float]], rules_text: str) -> int:
    """A bare threshold check: one notification per change of each series' breach."""
    count = 0
    for rule in parse_rules_text(rules_text):
        for (metric, _), values in day.items():
            if metric != rule.metric:
                continue
            breached = False
            for value in values:
                now = rule.operator.holds(value, rule.threshold)
                count += now != breached
                breached = now
    return count


@dataclass
class Replay:
    """What the hub sent during the day."""

    naive: int
    bodies: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ours(self) -> int:
        """Notifications the hub delivered."""
        return len(self.bodies)

    def outage_notified(self) -> bool:
        """Whether a firing service_down for ``api`` reached the receiver during the outage."""
        start = START.timestamp() + OUTAGE[0] * 60
        end = START.timestamp() + OUTAGE[1] * 60
        return any(
            a["status"] == "firing"
            and a["labels"].get("alertname") == "service_down"
            and a["labels"].get("service") == "api"
            and start <= body["_received_at"] <= end
            for body in self.bodies
            for a in body["alerts"]
        )


async def replay(seed: int = 5, *, flapping: bool = True) -> Replay:
    """Feed the day through a real hub, a minute at a time, delivering as it goes
    (``flapping=False`` turns flap detection off, to see what it saves)."""
    day = noisy_day(seed)
    rules = default_rules_text() + ("" if flapping else "flapping: {enabled: false}\n")
    result = Replay(naive=naive_notifications(day, rules))
    clock = ManualClock(START)
    with tempfile.TemporaryDirectory() as tmp, receiver() as peer:
        channels = f"channels:\n  ops:\n    type: webhook\n    url: {peer.url}\n"
        settings = hub_settings(Path(tmp), channels, rules)
        app = create_app(settings, clock=clock, start_jobs=False, migrate=upgrade)
        async with AsyncTestClient(app=app):
            hub = app.state.hub
            for minute in range(MINUTES):
                stamp = clock.now().timestamp()
                await hub.tsdb.write(
                    [
                        Sample(name, dict(labels), v[minute], stamp)
                        for (name, labels), v in day.items()
                    ]
                )
                await hub.jobs.evaluate()
                for pause in (0.0, 3.0):  # the notify job at once and after group_wait
                    clock.advance(pause)
                    await hub.jobs.notify()
                    seen = len(peer.bodies)
                    await hub.deliverer.deliver_due()
                    for body in peer.bodies[seen:]:
                        body["_received_at"] = clock.now().timestamp()
                clock.advance(57.0)
        result.bodies = list(peer.bodies)
    return result


def run_replay() -> None:
    """Print the two counts (the README quotes them)."""
    result = asyncio.run(replay())
    unflapped = asyncio.run(replay(flapping=False))
    print(
        f"replay: a noisy day through the default rules: naive threshold "
        f"{result.naive} notifications, tcf-hub {result.ours} ({unflapped.ours} without flap "
        f"detection); real outage notified: {'yes' if result.outage_notified() else 'NO'}"
    )
