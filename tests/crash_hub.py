"""The hub for the kill -9 test: a parent that has imported the hub forks one child per run;
each child wires the real app (``create_app``'s lifespan: store, alert engine, dispatcher,
outbox, webhook channel) and drives ingest, evaluation, notification, delivery and compaction
in a tight loop until the test SIGKILLs it. Forking from a warm parent makes a run cost
milliseconds to start instead of the seconds of importing the hub, so 50 kills fit a minute.

    python -m tests.crash_hub CONFIG_DIR DATA_DIR

Reads ``run N`` or ``final N`` lines on stdin and answers each with the child's pid. A child
appends to ``DATA_DIR/../crash-N.log`` (unbuffered) what it has finished:

    open EP,EP…    alerts open (firing) when it started, before doing anything
    s I            crash batch I committed
    w+ EP / d+ EP  episode EP's alarm written / evaluated, notified and delivered
    w- EP / d- EP  the same for its resolution
    c- I / c I     compaction after batch I started / done
    done           (``final`` only) everything pending was delivered

``final`` only recovers (notifies and delivers what is due) and exits.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import traceback
from datetime import UTC, datetime
from pathlib import Path

from litestar import Litestar

from hub.app import create_app
from hub.domain.samples import Sample
from hub.lib.clock import SystemClock
from hub.lib.http import create_client
from hub.settings import load_settings

SERIES = 10
STEP = 1800.0
"""Simulated seconds between crash batches: a 2 h block fills in 4 batches, so compaction has
finished blocks to move within a run."""
T0 = datetime(2020, 1, 1, tzinfo=UTC).timestamp()
"""Long past: compacting at a simulated time must never reach the real-time alarm samples."""
COMPACT_EVERY = 4


def batch_time(run: int, number: int) -> float:
    """Simulated time of one crash batch: each run continues 10 days after the previous one."""
    return T0 + run * 864000 + number * STEP


def batch(run: int, number: int) -> list[Sample]:
    """One crash batch; values encode run, batch and series so they can be checked exactly."""
    when = batch_time(run, number)
    return [
        Sample("crash", {"n": str(n)}, run * 1e6 + number + n / 100, when) for n in range(SERIES)
    ]


async def child(app: Litestar, data: Path, run: int, final: bool) -> None:
    log = os.open(data.parent / f"crash-{run}.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND)

    def say(line: str) -> None:
        os.write(log, f"{line}\n".encode())

    async with app.lifespan():
        hub = app.state.hub
        async with hub.store.tx() as tx:
            firing = sorted(a.labels["ep"] for a in await tx.alerts.open())
        say("open " + ",".join(firing))
        await hub.jobs.notify()  # what a crash left queued goes out first, as at a hub's start
        await hub.jobs.deliver()
        if final:
            say("done")
            return
        clock = hub.clock
        number = 0
        while True:
            await hub.jobs.ingest(batch(run, number))
            say(f"s {number}")
            episode = f"{run}-{number - number % 3}"
            if number % 3 in (1, 2):
                sign, value = ("+", 1.0) if number % 3 == 1 else ("-", 0.0)
                say(f"w{sign} {episode}")
                alarm = Sample("crash_alarm", {"ep": episode}, value, clock.now().timestamp())
                await hub.jobs.ingest([alarm])
                await hub.jobs.notify()
                await hub.jobs.deliver()
                say(f"d{sign} {episode}")
            if number % COMPACT_EVERY == COMPACT_EVERY - 1:
                say(f"c- {number}")
                await hub.tsdb.compact(datetime.fromtimestamp(batch_time(run, number), UTC))
                say(f"c {number}")
            number += 1


def main(config: Path, data: Path) -> None:
    # The app is built here, once; each child opens it (store, client …) in its lifespan.
    settings = load_settings(config, data)
    app = create_app(
        settings,
        clock=SystemClock(),
        http=create_client(),  # made once too: loading the CA certificates takes a while
        start_jobs=False,
        migrate=lambda url: None,
    )
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # killed children are reaped by the kernel
    print("ready", flush=True)
    for line in sys.stdin:
        command, run = line.split()
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            code = 0
            try:
                asyncio.run(child(app, data, int(run), command == "final"))
            except BaseException:
                traceback.print_exc()
                code = 1
            finally:
                os._exit(code)
        print(pid, flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
