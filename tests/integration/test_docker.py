"""The Docker collector against a real dockerd (tests/dockerd-up.sh; `make test` starts it).

The recipe's containers: ``web`` (healthy), ``sick`` (unhealthy), ``exited`` (exit code 3).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hub.collectors.docker import DockerCollector, EngineUnavailableError
from hub.collectors.docker_sdk import SdkEngine
from hub.collectors.system import SystemCollector
from hub.jobs import follow_triggers
from hub.lib.clock import ManualClock

docker = pytest.importorskip("docker")

ENGINE_DIR = Path(os.environ.get("ENGINE_DIR", "/tmp/tcf-dockerd"))  # noqa: S108 (the recipe's)
DOCKER_HOST = os.environ.get("TCF_HUB_TEST_DOCKER_HOST", f"unix://{ENGINE_DIR}/docker.sock")
"""The private engine of tests/dockerd-up.sh, never the machine's own Docker."""
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def engine():
    """A client of the test engine; skips (fails in CI as root) when none answers."""
    try:
        client = docker.DockerClient(base_url=DOCKER_HOST, timeout=10)
        client.containers.get("web")
    except docker.errors.DockerException as exc:
        if os.environ.get("CI") and os.geteuid() == 0:
            pytest.fail(f"CI as root must run the Docker tests, but: {exc}")
        pytest.skip(f"no test Docker Engine at {DOCKER_HOST} ({exc}); run tests/dockerd-up.sh")
    yield client
    client.close()


@pytest.fixture
def now_clock():
    """A manual clock at the real time, so uptimes against the engine's start times make sense."""
    return ManualClock(datetime.now(UTC))


@pytest.fixture(params=["socket", "sdk"])
async def collector(request, engine, now_clock):
    """The collector through our unix-socket client (what a unix DOCKER_HOST gets), and through
    the docker SDK (what TCP, TLS and SSH engines get)."""
    environ = {"DOCKER_HOST": DOCKER_HOST}
    connect = None
    if request.param == "sdk":
        connect = functools.partial(SdkEngine.connect, environ, 10)
    found = DockerCollector(now_clock, host="box", environ=environ, connect=connect)
    yield found
    await found.aclose()


@pytest.fixture
def victim(engine):
    """A running container with compose labels, removed afterwards."""
    name = f"victim-{uuid.uuid4().hex[:6]}"
    container = engine.containers.run(
        "localhost/bb:latest",
        detach=True,
        name=name,
        labels={"com.docker.compose.project": "shop", "com.docker.compose.service": "api"},
    )
    yield name
    with contextlib.suppress(docker.errors.NotFound):
        container.remove(force=True)


def series(samples, container):
    return {s.name: s for s in samples if s.labels["container"] == container}


async def test_recipe_containers_report_health_state_and_labels(collector):
    samples = await collector.collect()
    web, sick, exited = (series(samples, name) for name in ("web", "sick", "exited"))
    assert web["container_running"].value == 1.0
    assert web["container_health"].value == 1.0
    assert sick["container_running"].value == 1.0
    assert sick["container_health"].value == 0.0
    assert exited["container_running"].value == 0.0
    assert "container_health" not in exited  # no health check in its image
    assert web["container_health"].labels == {
        "host": "box",
        "container": "web",
        "image": "localhost/bbweb:latest",
    }
    assert 0 < web["container_uptime"].value < 86400
    assert web["restart_count"].value == 0.0
    assert web["memory_bytes"].value > 0
    assert 0 < web["memory_usage"].value < 100
    # exited: state and restarts only, no usage or rates
    assert set(exited) == {"container_running", "restart_count"}


async def test_cpu_appears_on_the_second_collection(collector, now_clock):
    first = series(await collector.collect(), "web")
    assert "cpu_usage" not in first
    await asyncio.sleep(0.5)  # the engine's CPU counters must move between the readings
    now_clock.advance(0.5)
    second = series(await collector.collect(), "web")
    assert 0.0 <= second["cpu_usage"].value <= 200.0  # 2 cores at most
    assert "block_io" in second or "network_io" not in second


async def test_compose_labels_come_from_the_compose_labels(collector, victim):
    found = series(await collector.collect(), victim)
    assert found["container_running"].labels["compose_project"] == "shop"
    assert found["container_running"].labels["compose_service"] == "api"


async def test_killed_container_triggers_a_collection_and_fires_a_rule(
    make_hub, engine, victim, now_clock, monkeypatch
):
    monkeypatch.setenv("DOCKER_HOST", DOCKER_HOST)
    app = make_hub(
        monitoring="collection:\n  interval: 3600\n  docker: on\n",
        alerts="alerts:\n  container_down:\n    metric: container_running\n    threshold: 0\n"
        "    severity: critical\n    message: container stopped\n",
    )
    from litestar.testing import AsyncTestClient

    async with AsyncTestClient(app=app) as client:
        state = app.state.hub
        auth = {"Authorization": f"Bearer {state.admin_token}"}
        (docker_collector,) = [c for c in state.collectors if c.name == "docker"]
        await state.jobs.collect(docker_collector)  # the baseline: the victim runs
        follower = asyncio.create_task(follow_triggers(state.jobs, docker_collector))
        try:
            await _subscribed(docker_collector)
            started = time.monotonic()
            await asyncio.to_thread(engine.containers.get(victim).kill)
            # no scheduler runs and the interval is an hour: only the event can collect
            fired = await _wait_for_alert(client, auth, victim, seconds=10.0)
            elapsed = time.monotonic() - started
        finally:
            follower.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await follower
    assert fired["state"] == "firing"
    assert fired["labels"]["compose_service"] == "api"
    assert elapsed < 3.0, f"the kill took {elapsed:.2f} s to fire"


async def test_five_containers_dying_at_once_trigger_one_or_two_collections(engine, collector):
    tag = uuid.uuid4().hex[:6]
    names = [f"burst-{tag}-{i}" for i in range(5)]
    for name in names:
        engine.containers.run("localhost/bb:latest", detach=True, name=name)
    triggers = collector.triggers()
    try:
        first = asyncio.ensure_future(anext(triggers))
        await _subscribed(collector)
        assert not first.done()
        # one call, as `docker kill a b c d e` does: five die events within milliseconds
        await asyncio.to_thread(
            subprocess.run,
            ["docker", "kill", *names],
            env={**os.environ, "DOCKER_HOST": DOCKER_HOST},
            check=True,
            capture_output=True,
        )
        reasons = [await asyncio.wait_for(first, 10)]
        with contextlib.suppress(TimeoutError):
            while True:
                reasons.append(await asyncio.wait_for(anext(triggers), 1.5))
    finally:
        await triggers.aclose()
        for name in names:
            engine.containers.get(name).remove(force=True)
    assert 1 <= len(reasons) <= 2, reasons
    assert all(f"die {name}" in " ".join(reasons) for name in names)


async def _subscribed(collector):
    """Wait until the collector follows the engine's event stream."""
    for _ in range(200):
        if collector._streams:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the event stream was not opened within 10 s")


async def _wait_for_alert(client, auth, container, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        response = await client.get("/api/v1/alerts", headers=auth)
        assert response.status_code == 200, response.text
        for alert in response.json():
            if alert["labels"].get("container") == container:
                return alert
        await asyncio.sleep(0.05)
    raise AssertionError(f"no alert for {container} within {seconds} s")


@pytest.fixture
def dockerd_pid(engine):
    """The PID of the engine tests/dockerd-up.sh started (only that one may be stopped)."""
    pid_file = ENGINE_DIR / "dk" / "dockerd.bgpid"
    if os.geteuid() != 0 or not pid_file.exists():
        pytest.skip("the test engine was not started by tests/dockerd-up.sh here")
    return int(pid_file.read_text())


async def test_hung_dockerd_times_out_without_stalling_the_system_collector(dockerd_pid, now_clock):
    docker_collector = DockerCollector(
        now_clock, environ={"DOCKER_HOST": DOCKER_HOST}, timeout=2, required=True
    )
    system = SystemCollector(now_clock)
    await docker_collector.collect()  # connected
    os.kill(dockerd_pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        hanging = asyncio.create_task(docker_collector.collect())
        await system.collect()
        system_took = time.monotonic() - started
        with pytest.raises(Exception, match=r"(?i)timed out"):
            await hanging
        docker_took = time.monotonic() - started
    finally:
        os.kill(dockerd_pid, signal.SIGCONT)
        await docker_collector.aclose()
    assert system_took < 1.0
    assert docker_took < 5.0  # the 2 s timeout, on a loaded machine
    assert not hanging.cancelled()


async def test_stopped_dockerd_fails_the_docker_collection_while_the_system_collector_works(
    make_hub, dockerd_pid, monkeypatch
):
    monkeypatch.setenv("DOCKER_HOST", DOCKER_HOST)
    app = make_hub(monitoring="collection:\n  docker: on\n")
    from litestar.testing import AsyncTestClient

    try:
        async with AsyncTestClient(app=app):
            state = app.state.hub
            by_name = {c.name: c for c in state.collectors}
            assert await state.jobs.collect(by_name["docker"]) > 0
            follower = asyncio.create_task(follow_triggers(state.jobs, by_name["docker"], 0.1))
            await asyncio.to_thread(_stop, dockerd_pid)
            started = time.monotonic()
            with pytest.raises(EngineUnavailableError, match="no Docker Engine answers"):
                await state.jobs.collect(by_name["docker"])
            assert time.monotonic() - started < 2.0
            assert await state.jobs.collect(by_name["system"]) > 0
            follower.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await follower
        # leaving the app closed the collector and its event stream without hanging
    finally:
        await asyncio.to_thread(
            subprocess.run,
            ["bash", str(REPO / "tests" / "dockerd-up.sh")],
            check=True,
            capture_output=True,
        )


def _stop(pid: int) -> None:
    os.kill(pid, signal.SIGTERM)
    for _ in range(200):
        if not _alive(pid):
            return
        time.sleep(0.1)
    raise AssertionError("dockerd did not stop")


def _alive(pid: int) -> bool:
    """Running and not a zombie (nobody may reap the engine the script left behind)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


SOCKET_PROBE = """
import asyncio, sys
from hub.collectors.docker import DockerCollector
from hub.lib.clock import SystemClock

async def main():
    collector = DockerCollector(SystemClock(), environ={"DOCKER_HOST": sys.argv[1]})
    samples = await collector.collect()
    await collector.aclose()
    return len(samples)

count = asyncio.run(main())
print(count, sorted(m for m in ("docker", "requests", "urllib3") if m in sys.modules))
"""


def test_an_engine_on_a_unix_socket_is_read_without_the_sdk(engine):
    """The SDK with requests and urllib3 is 4 MB of the hub's memory and most of a collection's
    CPU: an engine on a unix socket (the usual case) needs neither."""
    done = subprocess.run(
        [sys.executable, "-c", SOCKET_PROBE, DOCKER_HOST], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    count, imported = done.stdout.strip().split(" ", 1)
    assert int(count) > 0
    assert imported == "[]"
