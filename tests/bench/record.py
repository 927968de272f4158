"""Record this machine's host metrics with the hub's own collector, as a benchmark fixture.

    python -m tests.bench.record OUT.csv.gz [--interval 10] [--seconds 86400]

Writes ``time_ms,name,labels,value`` rows (gzip CSV; ``value`` as ``float.hex`` so replay is
bit-exact), flushing as it goes so an interrupted recording is still usable.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import gzip
import json
import time

from hub.collectors.system import SystemCollector
from hub.lib.clock import SystemClock


async def record(out: str, interval: float, seconds: float) -> None:
    collector = SystemCollector(SystemClock(), host="recorded")
    end = time.monotonic() + seconds
    with gzip.open(out, "wt", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["time_ms", "name", "labels", "value"])
        while time.monotonic() < end:
            started = time.monotonic()
            for s in await collector.collect():
                writer.writerow(
                    [
                        round(s.time * 1000),
                        s.name,
                        json.dumps(s.labels, sort_keys=True),
                        s.value.hex(),
                    ]
                )
            handle.flush()
            await asyncio.sleep(max(0.0, interval - (time.monotonic() - started)))


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.record")
    parser.add_argument("out")
    parser.add_argument("--interval", type=float, default=10.0)
    parser.add_argument("--seconds", type=float, default=86400.0)
    args = parser.parse_args()
    asyncio.run(record(args.out, args.interval, args.seconds))


if __name__ == "__main__":
    main()
