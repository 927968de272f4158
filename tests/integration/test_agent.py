"""A real agent process pushing to a real hub that goes away and comes back (C10)."""

import signal
import subprocess
import sys
import time
from pathlib import Path

import msgspec

from hub.domain.ingest import IngestBatch
from tests.helpers import hub_settings, serve_hub

TCF_HUB = str(Path(sys.executable).parent / "tcf-hub")
HOST = "agent-test"


def wait_for(check, timeout=30.0, what="condition"):
    deadline = time.monotonic() + timeout
    while not (result := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)
    return result


def hub_times(running):
    with running.api() as api:
        rows = api.get(
            "/api/v1/series",
            params={"match": f'memory_usage{{host="{HOST}"}}', "from": time.time() - 600},
        ).json()
    return [t for row in rows for t in row["timestamps"]]


def test_an_agent_spools_while_the_hub_is_down_and_nothing_is_lost_or_duplicated(tmp_path):
    settings = hub_settings(tmp_path / "hub")
    spool = tmp_path / "agent" / "spool"
    log = tmp_path / "agent.log"
    with serve_hub(settings) as running, running.api() as api:
        created = api.post("/api/v1/tokens", json={"name": "agent", "scope": "ingest"})
        token = created.json()["token"]
        with log.open("wb") as stderr:
            agent = subprocess.Popen(
                [
                    TCF_HUB,
                    "agent",
                    "--hub",
                    running.url,
                    "--token",
                    token,
                    "--interval",
                    "1",
                    "--host",
                    HOST,
                    "--data-dir",
                    str(tmp_path / "agent"),
                    "--log-level",
                    "debug",
                ],
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        try:
            wait_for(lambda: len(hub_times(running)) >= 2, what="the first batches")
        except BaseException:
            agent.kill()
            raise
    try:  # the hub is down now: the agent keeps collecting into its spool
        wait_for(lambda: len(list(spool.glob("*.batch"))) >= 3, what="batches in the spool")
        with serve_hub(settings) as running:
            wait_for(lambda: not list(spool.glob("*.batch")), what="the spool to drain")
            wait_for(lambda: log.read_text().count("collected ") >= 8, what="more collections")
            agent.send_signal(signal.SIGTERM)
            assert agent.wait(15) == 0
            times = hub_times(running)
    finally:
        if agent.poll() is None:
            agent.kill()
    text = log.read_text()
    assert "spooling batches" in text
    assert "the hub is back" in text
    assert "stopped" in text
    left = [msgspec.msgpack.decode(p.read_bytes(), type=IngestBatch) for p in spool.glob("*.batch")]
    # Times in whole milliseconds, as the store keeps them: a batch sent just before SIGTERM
    # may also stay in the spool (re-sent later, stored once), and must count once here.
    leftover = {round(t, 3) for b in left for name, _, _, t in b.samples if name == "memory_usage"}
    collected = text.count("collected ")
    # No duplicates: the store's (time, series) key keeps a re-sent sample once, which
    # test_store_tokens_heartbeats checks on both backends; here the point is nothing lost.
    stored = {round(t, 3) for t in times}
    assert len(stored | leftover) == collected, (len(times), len(leftover), collected)
