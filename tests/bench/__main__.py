"""Benchmarks: ``make bench`` (or ``python -m tests.bench [NAME ...] [--seconds N]``).

Each benchmark prints its figures; they are copied into the README with this command.
"""

from __future__ import annotations

import argparse
import sys

from tests.bench.idle import run_idle

BENCHMARKS = {"idle": run_idle}


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench")
    parser.add_argument("names", nargs="*", default=list(BENCHMARKS))
    parser.add_argument("--seconds", type=float, default=60.0, help="measuring window")
    args = parser.parse_args()
    for name in args.names:
        BENCHMARKS[name](args.seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
