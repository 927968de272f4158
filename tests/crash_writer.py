"""A writer for the crash tests: ingests batches into a store and compacts now and then,
printing each batch number once its transaction has committed. Killed with SIGKILL by the test.

    python -m tests.crash_writer URL RUN
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime

from hub.domain.samples import Sample
from hub.store import open_store, upgrade
from hub.tsdb import TSDB

SERIES = 20
STEP = 10  # seconds between batches of simulated time
T0 = datetime(2026, 11, 1, tzinfo=UTC).timestamp()


def batch_time(run: int, batch: int) -> float:
    """Simulated time of one batch: each run continues a day after the previous one."""
    return T0 + run * 86400 + batch * STEP


def batch(run: int, number: int) -> list[Sample]:
    """The samples of one batch; their values encode run and batch, so they can be checked."""
    when = batch_time(run, number)
    return [
        Sample("crash", {"n": str(n)}, run * 1e6 + number + n / 100, when) for n in range(SERIES)
    ]


async def main(url: str, run: int) -> None:
    upgrade(url)
    store = open_store(url)
    tsdb = TSDB(store)
    print("ready", flush=True)
    number = 0
    while True:
        await tsdb.write(batch(run, number))
        print(number, flush=True)
        if number % 200 == 199:  # every 2000 s of simulated time: compact what has finished
            await tsdb.compact(datetime.fromtimestamp(batch_time(run, number), UTC))
        number += 1


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
