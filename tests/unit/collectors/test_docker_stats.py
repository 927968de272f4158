"""Engine answers turned into container samples: CPU %, memory, rates, labels, health."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hub.collectors.docker_stats import (
    Counters,
    cpu_percent,
    event_reason,
    labels_of,
    memory,
    parse_container,
    parse_stats,
    rate,
    state_samples,
    usage_samples,
)

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC).timestamp()


def inspect(
    name="web",
    status="running",
    health: str | None = None,
    labels=None,
    restarts=0,
    started="2026-11-26T11:59:00.123456789Z",
):
    state = {"Status": status, "Running": status == "running", "StartedAt": started}
    if health is not None:
        state["Health"] = {"Status": health, "FailingStreak": 0, "Log": []}
    return {
        "Id": f"{name}-id",
        "Name": f"/{name}",
        "RestartCount": restarts,
        "State": state,
        "Config": {"Image": "localhost/bb:latest", "Labels": labels or {}},
    }


def stats(cpu=0, system=0, cpus=2, usage=1000, limit=4000, cache=0, net=None, blk=None):
    raw = {
        "read": "2026-11-26T12:00:00Z",
        "cpu_stats": {
            "cpu_usage": {"total_usage": cpu},
            "system_cpu_usage": system,
            "online_cpus": cpus,
        },
        "precpu_stats": {"cpu_usage": {"total_usage": 0}},
        "memory_stats": {"usage": usage, "limit": limit, "stats": {"total_inactive_file": cache}},
        "blkio_stats": {"io_service_bytes_recursive": blk},
    }
    if net is not None:
        raw["networks"] = {
            f"eth{i}": {"rx_bytes": rx, "tx_bytes": tx, "rx_packets": 1} for i, (rx, tx) in net
        }
    return parse_stats(raw)


def by_name(samples):
    out = {}
    for s in samples:
        out.setdefault(s.name, []).append(s)
    return out


def counters(cpu, system, cpus=2, time=NOW):
    return Counters(time, cpu, system, cpus, None, None)


def test_cpu_percent_is_container_time_over_host_time_times_cores():
    # 0.5 s of container CPU while the 2-core host ran 2 s in total: half a core, 50 %.
    before = counters(1_000_000_000, 10_000_000_000)
    after = counters(1_500_000_000, 12_000_000_000)
    assert cpu_percent(before, after) == pytest.approx(50.0)


def test_cpu_percent_can_exceed_100_on_several_cores_like_docker_stats():
    assert cpu_percent(counters(0, 0, 4), counters(4, 4, 4)) == pytest.approx(400.0)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ((5_000, 100), (1_000, 200)),  # the container restarted: its counter went back
        ((1_000, 100), (2_000, 100)),  # the host's counter did not move
    ],
)
def test_cpu_percent_needs_both_counters_moving_forward(before, after):
    assert cpu_percent(counters(*before), counters(*after)) is None


def test_online_cpus_falls_back_to_per_cpu_counters_then_one():
    raw = {"cpu_stats": {"cpu_usage": {"total_usage": 5, "percpu_usage": [1, 2, 2]}}}
    assert usage_samples(parse_stats(raw), None, {}, NOW)[1].online_cpus == 3
    assert usage_samples(parse_stats({}), None, {}, NOW)[1].online_cpus == 1


def test_rate_is_per_second_and_a_reset_counter_gives_none():
    assert rate(100, 600, 10.0) == 50.0
    assert rate(600, 100, 10.0) is None
    assert rate(100, 600, 0.0) is None


def test_memory_excludes_page_cache_like_docker_stats():
    parsed = stats(usage=3000, limit=4000, cache=1000)
    assert memory(parsed.memory_stats) == (2000.0, 50.0)


def test_memory_on_cgroup_v2_uses_inactive_file():
    raw = {"memory_stats": {"usage": 3000, "limit": 6000, "stats": {"inactive_file": 0}}}
    assert memory(parse_stats(raw).memory_stats) == (3000.0, 50.0)


def test_no_memory_figures_give_no_memory_samples():
    assert memory(parse_stats({"memory_stats": {}}).memory_stats) is None


def test_first_reading_has_memory_only_second_has_cpu_network_and_block_rates():
    labels = {"container": "web"}
    first, kept = usage_samples(
        stats(cpu=1_000, system=10_000, net=[(0, (100, 50)), (1, (0, 0))], blk=[]),
        None,
        labels,
        NOW,
    )
    assert set(by_name(first)) == {"memory_bytes", "memory_usage"}
    blk = [
        {"major": 8, "minor": 0, "op": "Read", "value": 1000},
        {"major": 8, "minor": 0, "op": "Write", "value": 500},
        {"major": 8, "minor": 0, "op": "Total", "value": 1500},
    ]
    second, _ = usage_samples(
        stats(cpu=2_000, system=20_000, net=[(0, (1100, 250)), (1, (0, 0))], blk=blk),
        kept,
        labels,
        NOW + 10,
    )
    found = by_name(second)
    assert found["cpu_usage"][0].value == pytest.approx(20.0)  # 1000/10000 * 2 cores
    net = {s.labels["direction"]: s.value for s in found["network_io"]}
    assert net == {"rx": 100.0, "tx": 20.0}  # summed over interfaces, per second
    io = {s.labels["direction"]: s.value for s in found["block_io"]}
    assert io == {"read": 100.0, "write": 50.0}  # the Total line is not counted again
    assert all(s.labels["container"] == "web" for s in second)


def test_cgroup_v2_lower_case_block_ops_are_counted():
    blk = [{"op": "read", "value": 40}, {"op": "write", "value": 20}]
    _, kept = usage_samples(stats(blk=[]), None, {}, NOW)
    second, _ = usage_samples(stats(blk=blk), kept, {}, NOW + 2)
    assert {s.labels["direction"]: s.value for s in second if s.name == "block_io"} == {
        "read": 20.0,
        "write": 10.0,
    }


def test_a_container_without_network_has_no_network_rates():
    _, kept = usage_samples(stats(), None, {}, NOW)
    second, _ = usage_samples(stats(), kept, {}, NOW + 10)
    assert "network_io" not in by_name(second)


def test_reset_network_counter_gives_no_rate_for_that_direction():
    _, kept = usage_samples(stats(net=[(0, (1000, 1000))]), None, {}, NOW)
    second, _ = usage_samples(stats(net=[(0, (10, 2000))]), kept, {}, NOW + 10)
    assert [(s.labels["direction"], s.value) for s in second if s.name == "network_io"] == [
        ("tx", 100.0)
    ]


def test_labels_carry_name_image_host_and_compose_project_and_service():
    container = parse_container(
        inspect(
            labels={
                "com.docker.compose.project": "shop",
                "com.docker.compose.service": "api",
                "maintainer": "someone",
            }
        )
    )
    assert labels_of(container, "box") == {
        "host": "box",
        "container": "web",
        "image": "localhost/bb:latest",
        "compose_project": "shop",
        "compose_service": "api",
    }


def test_labels_without_compose_have_no_compose_keys():
    raw = inspect()
    raw["Config"]["Labels"] = None  # the engine sends null for an image without labels
    assert set(labels_of(parse_container(raw), "box")) == {"host", "container", "image"}


@pytest.mark.parametrize(
    ("health", "value"), [("healthy", 1.0), ("starting", 0.5), ("unhealthy", 0.0)]
)
def test_health_is_encoded_so_rules_can_alert_below_one(health, value):
    found = by_name(state_samples(parse_container(inspect(health=health)), {}, NOW))
    assert found["container_health"][0].value == value


def test_a_container_without_health_check_has_no_health_series():
    assert "container_health" not in by_name(state_samples(parse_container(inspect()), {}, NOW))


def test_running_container_reports_running_restarts_and_uptime():
    found = by_name(state_samples(parse_container(inspect(restarts=3)), {}, NOW))
    assert found["container_running"][0].value == 1.0
    assert found["restart_count"][0].value == 3.0
    assert found["container_uptime"][0].value == pytest.approx(59.876543, abs=1e-3)


def test_exited_container_reports_state_health_and_restarts_but_no_uptime():
    container = parse_container(inspect(status="exited", health="unhealthy", restarts=1))
    found = by_name(state_samples(container, {}, NOW))
    assert set(found) == {"container_running", "restart_count", "container_health"}
    assert found["container_running"][0].value == 0.0


def test_paused_counts_as_not_running():
    found = by_name(state_samples(parse_container(inspect(status="paused")), {}, NOW))
    assert found["container_running"][0].value == 0.0


def test_never_started_container_has_no_uptime():
    container = parse_container(inspect(status="running", started="0001-01-01T00:00:00Z"))
    assert "container_uptime" not in by_name(state_samples(container, {}, NOW))


def event(action, name="web", kind="container"):
    return {
        "Type": kind,
        "Action": action,
        "Actor": {"ID": "abc", "Attributes": {"name": name, "image": "bb"}},
    }


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (event("die"), "die web"),
        (event("oom", "db"), "oom db"),
        (event("health_status: unhealthy"), "health_status: unhealthy web"),
        (event("start"), "start web"),
        (event("restart"), "restart web"),
        (event("exec_start: /bin/sh -c true"), None),
        (event("kill"), None),
        (event("die", kind="network"), None),
        ({"Action": "die"}, "die"),
    ],
)
def test_events_that_trigger_a_collection(raw, reason):
    assert event_reason(raw) == reason
