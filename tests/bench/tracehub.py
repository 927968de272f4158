"""Run the hub with tracemalloc at hand: the first SIGUSR1 starts tracing, the next ones write
the largest live allocations made since (by source line and by traceback) to the file named
by ``TCF_TRACE_OUT``. For finding where memory goes under load (``python -m tests.bench load
--trace``): tracing starts once the hub is up (imports under tracing took minutes here) and
costs the hub about twice the CPU.

    python -m tests.bench.tracehub python -m hub serve ...
"""

from __future__ import annotations

import os
import runpy
import signal
import sys
import tracemalloc
from types import FrameType

TOP = 25


def _dump(signum: int, frame: FrameType | None) -> None:
    del signum, frame
    if not tracemalloc.is_tracing():
        tracemalloc.start(int(os.environ.get("TCF_TRACE_FRAMES", "1")))
        return
    snapshot = tracemalloc.take_snapshot().filter_traces(
        (tracemalloc.Filter(False, tracemalloc.__file__),)
    )
    current, peak = tracemalloc.get_traced_memory()
    with open(os.environ["TCF_TRACE_OUT"], "a") as out:
        out.write(f"== traced {current / 1e6:.1f} MB (peak {peak / 1e6:.1f} MB)\n")
        for stat in snapshot.statistics("lineno")[:TOP]:
            out.write(f"{stat.size / 1e6:8.2f} MB {stat.count:8d} {stat.traceback[0]}\n")
        out.write("-- by traceback\n")
        for stat in snapshot.statistics("traceback")[
            : 8 if tracemalloc.get_traceback_limit() > 1 else 0
        ]:
            out.write(f"{stat.size / 1e6:8.2f} MB {stat.count:8d}\n")
            for line in stat.traceback.format()[-12:]:
                out.write(f"    {line}\n")


def main() -> None:
    """Drop the wrapped ``python -m hub`` prefix from the arguments and run the hub."""
    args = sys.argv[1:]
    start = args.index("hub") + 1
    sys.argv = ["tcf-hub", *args[start:]]
    signal.signal(signal.SIGUSR1, _dump)
    runpy.run_module("hub", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
