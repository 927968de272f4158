"""kill -9 during ingest and compaction: no committed sample is lost, the file is never
corrupt, and compaction resumes where it stopped."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

from hub.store import open_store
from hub.tsdb import TSDB
from tests.crash_writer import SERIES, batch_time

KILLS = 6


def run_and_kill(url: str, run: int, rng: random.Random) -> int:
    """Start a writer, SIGKILL it at a random moment; returns the last committed batch."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.crash_writer", url, str(run)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(rng.uniform(0.2, 1.5))
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    lines = [line.strip() for line in proc.stdout.read().splitlines()]
    proc.stdout.close()
    return max((int(x) for x in lines if x.isdigit()), default=-1)


async def test_kill_9_loses_nothing_committed_and_never_corrupts(tmp_path):
    db = tmp_path / "hub.db"
    url = f"sqlite+aiosqlite:///{db}"
    rng = random.Random(2026)
    committed = {run: run_and_kill(url, run, rng) for run in range(KILLS)}
    assert all(last >= 0 for last in committed.values()), committed

    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    store = open_store(url)
    tsdb = TSDB(store)
    last_time = max(batch_time(run, last) for run, last in committed.items())
    report = await tsdb.compact(datetime.fromtimestamp(last_time, UTC) + timedelta(days=1))
    assert report.samples > 0  # whatever the kills interrupted is compacted now
    series = await tsdb.range(
        "crash",
        datetime.fromtimestamp(batch_time(0, 0), UTC),
        datetime.fromtimestamp(last_time, UTC),
    )
    assert len(series) == SERIES
    for s in series:
        n = int(s.labels["n"])
        by_time = dict(zip(s.times, s.values, strict=True))
        for run, last in committed.items():
            for number in range(last + 1):  # every committed batch is there, exactly
                assert by_time[batch_time(run, number)] == run * 1e6 + number + n / 100
    stats = await store.stats()
    assert stats.head_samples == 0
    await store.close()
