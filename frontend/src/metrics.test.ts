import { describe, expect, it } from "vitest";
import { CURRENT_WINDOW_SECONDS, dropVanished, hostSnapshot, mergeLatest, pickHost, replaceLatest, seriesKey } from "./metrics";
import type { Sample } from "./types";

const at = 1_764_170_000;
const sample = (name: string, labels: Record<string, string>, value: number, time = at): Sample => ({
  name,
  labels: { host: "h1", ...labels },
  value,
  time,
});

const batch: Sample[] = [
  sample("cpu_usage", {}, 12.5),
  sample("memory_usage", {}, 40),
  sample("system_load", { period: "1m" }, 0.5),
  sample("system_load", { period: "5m" }, 0.9),
  sample("disk_usage", { mount: "/var" }, 70),
  sample("disk_usage", { mount: "/" }, 55),
  sample("network_io", { direction: "rx", interface: "eth0" }, 1000),
  sample("network_io", { direction: "rx", interface: "wlan0" }, 500),
  sample("network_io", { direction: "tx", interface: "eth0" }, 200),
  sample("cpu_usage", { container: "web" }, 99),
  sample("response_time", { service: "api" }, 120),
];

describe("hostSnapshot", () => {
  const snapshot = hostSnapshot(mergeLatest(new Map(), batch), "h1");

  it("takes cpu, memory and the 1-minute load", () => {
    expect(snapshot.cpu).toBe(12.5);
    expect(snapshot.memory).toBe(40);
    expect(snapshot.load1).toBe(0.5);
  });

  it("ignores container samples of the same metric name", () => {
    expect(snapshot.cpu).not.toBe(99);
  });

  it("lists one disk per mount, sorted", () => {
    expect(snapshot.disks).toEqual([
      { mount: "/", value: 55 },
      { mount: "/var", value: 70 },
    ]);
  });

  it("sums network rates over interfaces per direction", () => {
    expect(snapshot.rx).toBe(1500);
    expect(snapshot.tx).toBe(200);
  });

  it("leaves values without samples empty", () => {
    expect(hostSnapshot(new Map(), undefined)).toEqual({
      cpu: null, memory: null, load1: null, disks: [], rx: null, tx: null,
    });
  });

  it("shows only the chosen host", () => {
    const other = mergeLatest(new Map(), [sample("cpu_usage", { host: "h2" }, 77)]);
    expect(hostSnapshot(other, "h1").cpu).toBeNull();
    expect(hostSnapshot(other, "h2").cpu).toBe(77);
  });
});

describe("pickHost", () => {
  it("takes the first host-level sample's host among equals", () => {
    const samples = [sample("cpu_usage", { container: "x", host: "c" }, 1), sample("cpu_usage", { host: "h9" }, 1)];
    expect(pickHost(samples)).toBe("h9");
    expect(pickHost([])).toBeUndefined();
  });

  it("prefers the host with the most host-level series (the hub's own, not an agent's)", () => {
    const samples = [
      sample("cpu_usage", { host: "agent" }, 1),
      sample("cpu_usage", { host: "hub" }, 1),
      sample("memory_usage", { host: "hub" }, 1),
      sample("cpu_usage", { host: "agent", container: "a" }, 1),
      sample("memory_usage", { host: "agent", container: "a" }, 1),
    ];
    expect(pickHost(samples)).toBe("hub");
  });

  it("prefers the host of the tiles' metrics over an agent pushing more series of its own", () => {
    const own = (i: number) => sample("bench_wave", { host: "agent", index: String(i) }, 1);
    const samples = [
      ...Array.from({ length: 20 }, (_, i) => own(i)),
      sample("cpu_usage", { host: "hub" }, 1),
      sample("memory_usage", { host: "hub" }, 1),
    ];
    expect(pickHost(samples)).toBe("hub");
    expect(pickHost(samples.slice(0, 20))).toBe("agent");
  });
});

describe("mergeLatest / replaceLatest", () => {
  it("keys series by name and labels regardless of label order", () => {
    expect(seriesKey("x", { a: "1", b: "2" })).toBe(seriesKey("x", { b: "2", a: "1" }));
    expect(seriesKey("x", { a: "1" })).not.toBe(seriesKey("y", { a: "1" }));
  });

  it("never lets an older sample replace a newer one", () => {
    const newer = mergeLatest(new Map(), [sample("cpu_usage", {}, 50, at + 10)]);
    const merged = mergeLatest(newer, [sample("cpu_usage", {}, 5, at)]);
    expect(hostSnapshot(merged, "h1").cpu).toBe(50);
  });

  it("drops series the hub no longer reports but keeps newer live values", () => {
    const previous = mergeLatest(new Map(), [
      sample("disk_usage", { mount: "/mnt/usb" }, 10),
      sample("cpu_usage", {}, 80, at + 10),
    ]);
    const replaced = replaceLatest(previous, [sample("cpu_usage", {}, 20, at)]);
    const snapshot = hostSnapshot(replaced, "h1");
    expect(snapshot.disks).toEqual([]);
    expect(snapshot.cpu).toBe(80);
  });

  it("keeps the same map when a refetch brings nothing new (no re-render)", () => {
    const previous = mergeLatest(new Map(), [sample("cpu_usage", {}, 20, at), sample("memory_usage", {}, 40, at)]);
    const again = [sample("cpu_usage", {}, 20, at), sample("memory_usage", {}, 40, at)];
    expect(replaceLatest(previous, again)).toBe(previous);
    expect(replaceLatest(previous, [sample("cpu_usage", {}, 21, at + 1), again[1]!])).not.toBe(previous);
    expect(replaceLatest(previous, [again[0]!])).not.toBe(previous);
  });
});

describe("dropVanished", () => {
  const later = at + CURRENT_WINDOW_SECONDS + 10;

  it("drops a series whose newest sample is older than the hub's window for current values", () => {
    const latest = mergeLatest(new Map(), [
      sample("disk_usage", { mount: "/tmp/gone" }, 10, at),
      sample("network_io", { direction: "rx", interface: "veth1" }, 5000, at),
      sample("network_io", { direction: "rx", interface: "eth0" }, 1000, later),
      sample("disk_usage", { mount: "/" }, 55, later),
    ]);
    const snapshot = hostSnapshot(dropVanished(latest), "h1");
    expect(snapshot.disks).toEqual([{ mount: "/", value: 55 }]);
    expect(snapshot.rx).toBe(1000);
  });

  it("keeps a series that reports less often than the window's length ago", () => {
    const latest = mergeLatest(new Map(), [
      sample("cpu_usage", { host: "slow" }, 3, later - CURRENT_WINDOW_SECONDS),
      sample("cpu_usage", {}, 20, later),
    ]);
    expect(dropVanished(latest)).toBe(latest);
  });

  it("measures from the newest sample, so nothing goes while no sample arrives", () => {
    const latest = mergeLatest(new Map(), [sample("cpu_usage", {}, 20, at), sample("memory_usage", {}, 40, at - 60)]);
    expect(dropVanished(latest)).toBe(latest);
    expect(dropVanished(new Map())).toEqual(new Map());
  });
});
