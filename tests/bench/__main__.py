"""Benchmarks: ``make bench`` (or ``python -m tests.bench [NAME ...] [--seconds N]
[--recording PATH] [--profile PY_SPY]``).

Each benchmark prints its figures; they are copied into the README with this command.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from tests.bench.collectors import run_collectors
from tests.bench.idle import run_idle
from tests.bench.ingest import run_ingest, run_ingest_throughput
from tests.bench.probes import run_probes
from tests.bench.push import run_push
from tests.bench.rules import run_rules
from tests.bench.storage import run_storage

BENCHMARKS: dict[str, Callable[[argparse.Namespace], None]] = {
    "idle": lambda args: run_idle(args.seconds),
    "storage": lambda args: run_storage(args.recording),
    "ingest": lambda args: run_ingest(args.seconds, profile=args.profile, baseline=args.baseline),
    "ingest-throughput": lambda args: run_ingest_throughput(),
    "probes": lambda args: run_probes(),
    "rules": lambda args: run_rules(),
    "collectors": lambda args: run_collectors(
        args.seconds, profile=args.profile, baseline=args.baseline
    ),
    "push": lambda args: run_push(),
}


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench")
    parser.add_argument("names", nargs="*", default=list(BENCHMARKS))
    parser.add_argument("--seconds", type=float, default=60.0, help="measuring window")
    parser.add_argument(
        "--recording",
        default="tests/fixtures/host-recording.csv.gz",
        help="host metrics recorded by tests/bench/record.py, for the storage benchmark",
    )
    parser.add_argument(
        "--profile",
        metavar="PY_SPY",
        help="a py-spy executable: collectors and ingest print where the hub's time went",
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        metavar="DIR",
        help="collectors and ingest also measure this older code (git archive REV | tar -x -C "
        "DIR, plus hub/web/dist) in the same run and print the ratios",
    )
    args = parser.parse_args()
    for name in args.names:
        BENCHMARKS[name](args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
