"""kill -9 the hub 50 times at random moments during ingest, evaluation, notification,
delivery and compaction (tests/crash_hub.py): the file is never corrupt, no committed sample is
lost, alert states come back, no queued notification is lost and a crash causes at most one
duplicate."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec

from hub.domain.notifications import Notification
from hub.store import open_store, upgrade
from hub.tsdb import TSDB
from tests.crash_hub import SERIES, batch_time
from tests.helpers import receiver, write_config

KILLS = 50

ALERTS = """
routes:
  group_by: ['...']
  group_wait: 0s
  group_interval: 0.001
alerts:
  alarm:
    metric: crash_alarm
    threshold: 0.5
    duration: 0
    severity: critical
    message: crash alarm
"""


def key(status: str, alerts: list[tuple[str, str]]) -> tuple[str, tuple[tuple[str, str], ...]]:
    """What tells notifications apart: every episode fires once and resolves once."""
    return status, tuple(sorted(alerts))


def read_log(path: Path) -> list[tuple[str, str]]:
    if not path.exists():
        return []
    return [(*line.split(" ", 1), "")[:2] for line in path.read_text().splitlines()]  # type: ignore[misc]


def follow(events: list[tuple[str, str]], sure: set[str], maybe: set[str]) -> None:
    """Update the alerts surely open (their evaluation was seen to finish) and those that may be
    open either way (a sample written, then killed before its evaluation was seen to finish: a
    later evaluation decides) with one run's events."""
    for what, episode in events:
        if what in ("w+", "w-"):
            sure.discard(episode)
            maybe.add(episode)
        elif what == "d+":
            sure.add(episode)
            maybe.discard(episode)
        elif what == "d-":
            sure.discard(episode)
            maybe.discard(episode)


def test_kill_9_fifty_times_keeps_store_alerts_and_notifications(tmp_path):
    rng = random.Random(8)
    db = tmp_path / "data" / "hub.db"
    with receiver() as hook:
        config = write_config(
            tmp_path / "config",
            f"channels:\n  hook:\n    type: webhook\n    url: {hook.url}\n",
            ALERTS,
        )
        db.parent.mkdir()
        upgrade(f"sqlite+aiosqlite:///{db}")
        zygote = subprocess.Popen(
            [sys.executable, "-m", "tests.crash_hub", str(config), str(tmp_path / "data")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert zygote.stdin is not None and zygote.stdout is not None
        assert zygote.stdout.readline().strip() == "ready"

        def start(command: str, run: int) -> int:
            zygote.stdin.write(f"{command} {run}\n")  # type: ignore[union-attr]
            zygote.stdin.flush()  # type: ignore[union-attr]
            return int(zygote.stdout.readline())  # type: ignore[union-attr]

        logs = [tmp_path / f"crash-{run}.log" for run in range(KILLS + 1)]
        moments = Counter()
        try:
            for run in range(KILLS):
                pid = start("run", run)
                deadline = time.monotonic() + 20
                while not logs[run].exists() or "s " not in logs[run].read_text():
                    assert time.monotonic() < deadline, f"run {run} never wrote"
                    time.sleep(0.01)
                time.sleep(rng.uniform(0.0, 0.4))
                os.kill(pid, signal.SIGKILL)
                lines = read_log(logs[run])
                moments[lines[-1][0]] += 1
                with sqlite3.connect(db) as conn:  # checked after every kill
                    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            pid = start("final", KILLS)
            deadline = time.monotonic() + 30
            while ("done", "") not in read_log(logs[KILLS]):
                assert time.monotonic() < deadline, "the final run did not finish"
                time.sleep(0.05)
        finally:
            zygote.stdin.close()  # type: ignore[union-attr]
            zygote.wait(10)
            zygote.stdout.close()  # type: ignore[union-attr]
        received = list(hook.bodies)

    # The kills landed in every kind of work: the log's last line is the last step finished,
    # so w± means during an alarm's ingest, evaluation, notification or delivery, c- during
    # compaction, and anything else during the ingest of the next batch.
    assert {"w+", "w-", "c-"} <= set(moments), moments
    assert set(moments) & {"s", "d+", "d-", "c"}, moments
    runs = [read_log(log) for log in logs]
    assert sum(what == "c" for events in runs for what, _ in events) >= 10  # compactions done

    # Alert states: each run saw, at its start, what the previous runs had surely left open.
    sure: set[str] = set()
    maybe: set[str] = set()
    for run, events in enumerate(runs):
        assert events[0][0] == "open", events[:1]
        seen = set(filter(None, events[0][1].split(",")))
        assert sure <= seen <= sure | maybe, (run, seen, sure, maybe)
        follow(events[1:], sure, maybe)

    # Notifications: every queued one was delivered, none more than twice, duplicates <= kills.
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        outbox = conn.execute("SELECT status, payload FROM outbox").fetchall()
    assert outbox, "no notification was queued"
    assert {status for status, _ in outbox} == {"sent"}
    queued = []
    for _, payload in outbox:
        note = msgspec.json.decode(payload, type=Notification)
        queued.append(key(note.status, [(a.labels["ep"], a.status) for a in note.alerts]))
    assert len(set(queued)) == len(queued)
    got = Counter(
        key(body["status"], [(a["labels"]["ep"], a["status"]) for a in body["alerts"]])
        for body in received
        if body is not None  # a request cut short by the kill: not delivered
    )
    assert set(queued) <= set(got), set(queued) - set(got)
    assert set(got) <= set(queued)
    duplicates = sum(n - 1 for n in got.values())
    assert max(got.values()) <= 2
    assert duplicates <= KILLS

    # Samples: every batch a run reported committed is there, exactly, after compaction.
    store_url = f"sqlite+aiosqlite:///{db}"
    committed = {
        run: max((int(arg) for what, arg in events if what == "s"), default=-1)
        for run, events in enumerate(runs[:KILLS])
    }
    assert all(last >= 0 for last in committed.values())
    check_samples(store_url, committed)


def check_samples(url: str, committed: dict[int, int]) -> None:
    import asyncio

    async def check() -> None:
        store = open_store(url)
        tsdb = TSDB(store)
        try:
            last = max(batch_time(run, n) for run, n in committed.items())
            end = datetime.fromtimestamp(last, UTC)
            await tsdb.compact(end + timedelta(days=1))
            series = await tsdb.range("crash", datetime.fromtimestamp(batch_time(0, 0), UTC), end)
            assert len(series) == SERIES
            for s in series:
                n = int(s.labels["n"])
                by_time = dict(zip(s.times, s.values, strict=True))
                for run, top in committed.items():
                    for number in range(top + 1):
                        assert by_time[batch_time(run, number)] == run * 1e6 + number + n / 100
        finally:
            await store.close()

    asyncio.run(check())
