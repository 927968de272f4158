"""The host collector reads this machine (C7)."""

from hub.collectors.system import SystemCollector


async def test_first_collection_has_memory_disk_and_load_but_no_rates(clock):
    collector = SystemCollector(clock, host="box")
    names = {s.name for s in await collector.collect()}
    # cpu_usage and network_io are rates: they need a previous reading.
    assert names == {"memory_usage", "disk_usage", "system_load"}


async def test_second_collection_has_every_host_metric_with_its_labels(clock):
    collector = SystemCollector(clock)
    await collector.collect()
    clock.advance(10)
    samples = await collector.collect()
    by_name = {}
    for s in samples:
        by_name.setdefault(s.name, []).append(s)
    assert {"cpu_usage", "memory_usage", "disk_usage", "system_load"} <= set(by_name)
    assert all(s.time == clock.now().timestamp() for s in samples)
    assert all("host" in s.labels for s in samples)
    assert 0 <= by_name["cpu_usage"][0].value <= 100
    assert 0 < by_name["memory_usage"][0].value < 100
    assert {s.labels["period"] for s in by_name["system_load"]} == {"1m", "5m", "15m"}
    assert "/" in {s.labels["mount"] for s in by_name["disk_usage"]}
    for s in by_name.get("network_io", []):
        assert s.labels["direction"] in {"rx", "tx"}
        assert s.labels["interface"] != "lo"
        assert s.value >= 0


async def test_network_rates_need_time_to_pass(clock):
    collector = SystemCollector(clock)
    await collector.collect()
    samples = await collector.collect()  # same instant: no rate can be computed
    assert not [s for s in samples if s.name == "network_io"]


async def test_build_collectors_labels_host_series_with_the_name_given(clock):
    import httpx

    from hub.collectors import build_collectors
    from hub.domain.config import CollectionConfig, MonitoringConfig

    config = MonitoringConfig(collection=CollectionConfig(docker="off"))
    async with httpx.AsyncClient() as http:
        (system,) = build_collectors(config, clock, http, host="web-1")
        samples = await system.collect()
    assert samples and {s.labels["host"] for s in samples} == {"web-1"}


def test_each_device_is_reported_once_at_its_shortest_mount_point():
    from types import SimpleNamespace as P

    from hub.collectors.system import disk_mounts

    partitions = [
        P(device="/dev/vda", mountpoint="/var/lib/docker", fstype="ext4"),
        P(device="/dev/vda", mountpoint="/", fstype="ext4"),
        P(device="/dev/vda", mountpoint="/run/docker/runtime-runc/1c8c/runc.8z", fstype="ext4"),
        P(device="/dev/vdb1", mountpoint="/srv/backup", fstype="xfs"),
        P(device="tmpfs", mountpoint="/run", fstype="tmpfs"),
        P(device="none", mountpoint="/mnt/a", fstype="ext4"),
        P(device="none", mountpoint="/mnt/b", fstype="ext4"),
    ]
    assert disk_mounts(partitions) == ["/", "/mnt/a", "/mnt/b", "/srv/backup"]
