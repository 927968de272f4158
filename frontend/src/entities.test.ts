import { describe, expect, it } from "vitest";
import { alert } from "./test/fake-hub";
import { belongsTo, entitiesOf, entitySelector, keyValue, seriesLabel, seriesOf } from "./entities";
import type { Sample, Topology } from "./types";

const topology: Topology = {
  nodes: [
    { id: "host:a", kind: "host", name: "a", health: "up" },
    { id: "host:b", kind: "host", name: "b", health: "up" },
    { id: "container:a/db", kind: "container", name: "db", health: "up", host: "a" },
    { id: "service:api", kind: "service", name: "api", health: "down", reason: "no answer" },
    { id: "service:web", kind: "service", name: "web", health: "unknown" },
  ],
  edges: [],
};

describe("entitiesOf", () => {
  it("puts the worst first: down, then up with firing alerts (as degraded), unknown, up", () => {
    const alerts = [
      alert({ id: 1, labels: { host: "b" }, state: "firing" }),
      alert({ id: 2, labels: { host: "b" }, state: "acknowledged" }),
      alert({ id: 3, labels: { host: "a", container: "db" }, state: "resolved" }),
    ];
    const entities = entitiesOf(topology, alerts);
    expect(entities.map((e) => `${e.kind}:${e.name}`)).toEqual([
      "service:api",
      "host:b",
      "service:web",
      "host:a",
      "container:db",
    ]);
    expect(entities[1]).toMatchObject({ firing: 1, acknowledged: 1 });
    expect(entities[0]?.reason).toBe("no answer");
    expect(entitiesOf(null, alerts)).toEqual([]);
  });
});

describe("belongsTo and selectors", () => {
  it("gives a host only its own series, not its containers'", () => {
    expect(belongsTo({ host: "a" }, "host", "a")).toBe(true);
    expect(belongsTo({ host: "a", container: "db" }, "host", "a")).toBe(false);
    expect(belongsTo({ host: "a", container: "db" }, "container", "db")).toBe(true);
    expect(belongsTo({ service: "api" }, "service", "api")).toBe(true);
    expect(belongsTo({ service: "api" }, "service", "web")).toBe(false);
  });

  it("builds a quoted, sorted selector", () => {
    expect(entitySelector("disk_usage", "host", "a", { mount: '/my "disk"' })).toBe(
      'disk_usage{host="a",mount="/my \\"disk\\""}',
    );
  });

  it("finds the key value and the series of an entity", () => {
    const samples: Sample[] = [
      { name: "cpu_usage", labels: { host: "a" }, value: 10, time: 1 },
      { name: "cpu_usage", labels: { host: "a" }, value: 20, time: 2 },
      { name: "disk_usage", labels: { host: "a", mount: "/" }, value: 50, time: 2 },
      { name: "cpu_usage", labels: { host: "a", container: "db" }, value: 99, time: 3 },
    ];
    expect(keyValue(samples, "host", "a")).toBe(20);
    expect(keyValue(samples, "container", "db")).toBe(99);
    expect(keyValue(samples, "service", "api")).toBeNull();
    expect(seriesOf(samples, "host", "a").map((s) => `${s.name} ${seriesLabel(s.labels)}`)).toEqual([
      "cpu_usage ",
      "cpu_usage ",
      "disk_usage mount=/",
    ]);
  });
});
