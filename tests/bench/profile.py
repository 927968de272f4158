"""Where a hub process spends its CPU: py-spy samples it and the busiest frames are printed."""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

IDLE_LEAVES = (
    "_connection_worker_thread (aiosqlite/core.py)",  # waiting on its queue
    "select (selectors.py)",  # the event loop waiting
    "_worker (concurrent/futures/thread.py)",  # an idle pool thread
    "wait (threading.py)",
    "sleep",
)
"""py-spy's own idle detection misses threads blocked in C (queue gets): such leaves are idle."""
NOISE = ("threading.py", "click/", "asyncio/", "tcf-hub", "hub/cli/", "uvicorn/server.py")
"""Frames on every stack, left out of the report."""


@dataclass
class Profiler:
    """``start`` samples a process for some seconds in the background; ``report`` prints."""

    pyspy: str
    out: Path
    proc: subprocess.Popen[bytes] | None = field(default=None, init=False)

    def start(self, pid: int, seconds: float) -> None:
        """Sample ``pid`` for ``seconds`` (100 Hz, every thread)."""
        command = [self.pyspy, "record", "-p", str(pid), "-d", str(int(seconds)), "-r", "100"]
        self.proc = subprocess.Popen(
            [*command, "-f", "raw", "-o", str(self.out), "--nonblocking"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def report(self, top: int = 30) -> None:
        """Print the frames most often on a busy stack, with their share of busy samples."""
        if self.proc is not None:
            self.proc.wait(60)
        if not self.out.exists():
            print("  profile: py-spy wrote nothing (ptrace not allowed?)")
            return
        busy, inclusive = summarize(self.out.read_text())
        print(f"  profile (py-spy, {busy} busy samples; share of busy samples per frame):")
        for frame, count in inclusive.most_common(top):
            print(f"    {count / busy * 100:5.1f} %  {frame[:110]}")


def summarize(raw: str) -> tuple[int, Counter[str]]:
    """Busy samples and, per frame (line numbers dropped), the busy samples it is on."""
    inclusive: Counter[str] = Counter()
    busy = 0
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        frames = [re.sub(r":\d+\)", ")", f) for f in stack.split(";")]
        if not frames or any(idle in frames[-1] for idle in IDLE_LEAVES):
            continue
        busy += int(count)
        for frame in set(frames):
            if not any(noise in frame for noise in NOISE):
                inclusive[frame] += int(count)
    return busy, inclusive
