"""Benchmarks: ``make bench`` (or ``python -m tests.bench [NAME ...] [--seconds N]
[--recording PATH] [--profile PY_SPY]``).

Each benchmark prints its figures; they are copied into the README with this command.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from tests.bench.binary import run_binary
from tests.bench.collectors import run_collectors
from tests.bench.compaction import run_compaction
from tests.bench.dashboard import run_dashboard, run_dashboard_memory
from tests.bench.idle import run_idle
from tests.bench.ingest import run_ingest, run_ingest_throughput
from tests.bench.keepalive import run_keepalive
from tests.bench.load import run_load
from tests.bench.notify import run_fault_to_webhook, run_outbox_throughput
from tests.bench.passwords import run_passwords
from tests.bench.probes import run_probes
from tests.bench.push import run_push
from tests.bench.queries import run_queries
from tests.bench.replay import run_replay
from tests.bench.rules import run_rules
from tests.bench.storage import run_storage

BENCHMARKS: dict[str, Callable[[argparse.Namespace], None]] = {
    "idle": lambda args: run_idle(args.seconds),
    "storage": lambda args: run_storage(args.recording),
    "queries": lambda args: run_queries(args.month_series),
    "compaction": lambda args: run_compaction(),
    "ingest": lambda args: run_ingest(args.seconds, profile=args.profile, baseline=args.baseline),
    "ingest-throughput": lambda args: run_ingest_throughput(),
    "probes": lambda args: run_probes(),
    "rules": lambda args: run_rules(),
    "replay": lambda args: run_replay(),
    "collectors": lambda args: run_collectors(
        args.seconds, profile=args.profile, baseline=args.baseline
    ),
    "push": lambda args: run_push(),
    "outbox": lambda args: run_outbox_throughput(),
    "fault-webhook": lambda args: run_fault_to_webhook(),
    "passwords": lambda args: run_passwords(),
    "dashboard": lambda args: run_dashboard(baseline=args.baseline),
    # Five minutes at least (--seconds for longer); growth is judged after the live chart fills.
    "dashboard-memory": lambda args: run_dashboard_memory(max(args.seconds, 300.0)),
    "binary": lambda args: run_binary(baseline=args.baseline),
    "keepalive": lambda args: run_keepalive(baseline=args.baseline),
    "load": lambda args: run_load(
        args.seconds,
        sse=args.sse,
        agents=args.agents,
        interval=args.interval,
        baseline=args.baseline,
        trace=args.trace,
    ),
}

PARTS = ("queries", "compaction")
"""Parts of ``storage`` that also run alone; a plain ``make bench`` runs them once, in it."""


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench")
    parser.add_argument("names", nargs="*", default=[n for n in BENCHMARKS if n not in PARTS])
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
        "--month-series",
        type=int,
        default=50,
        help="queries: series loaded for 30 days at 10 s for the 50-series month rows (0 skips)",
    )
    parser.add_argument("--sse", type=int, default=200, help="load: dashboards following SSE")
    parser.add_argument("--agents", type=int, default=500, help="load: agents pushing every 10 s")
    parser.add_argument(
        "--interval", type=float, default=10.0, help="load: seconds between an agent's batches"
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        metavar="DIR",
        help="collectors, ingest, binary, load and dashboard (Lighthouse) also measure this older "
        "code (git archive REV | tar -x -C DIR, plus hub/web/dist; for binary, its dist/tcf-hub) "
        "in the same run",
    )
    parser.add_argument(
        "--trace",
        type=Path,
        metavar="FILE",
        help="load: run the hub under tracemalloc and write its largest allocations to FILE",
    )
    args = parser.parse_args()
    for name in args.names:
        BENCHMARKS[name](args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
