import { describe, expect, it } from "vitest";
import { concerns, matchersText, shadesFor, sortWindows, windowStatus } from "./maintenance";
import type { MaintenanceWindow } from "./types";

const T0 = Date.parse("2026-11-26T00:00:00Z") / 1000;
const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

function window(overrides: Partial<MaintenanceWindow> = {}): MaintenanceWindow {
  return {
    name: "nightly backup",
    matchers: [{ label: "host", op: "=~", value: "db.*" }],
    comment: "",
    kind: "recurring",
    active: false,
    next_change: null,
    occurrences: [],
    ...overrides,
  };
}

describe("concerns", () => {
  it("applies every matcher, regexes anchored like the hub's", () => {
    const w = window({ matchers: [{ label: "host", op: "=~", value: "db.*" }, { label: "mount", op: "!=", value: "/boot" }] });
    expect(concerns(w, { host: "db1", mount: "/" })).toBe(true);
    expect(concerns(w, { host: "db1", mount: "/boot" })).toBe(false);
    expect(concerns(w, { host: "xdb1" })).toBe(false);
    expect(concerns(window({ matchers: [{ label: "host", op: "!~", value: "db.*" }] }), { host: "web1" })).toBe(true);
    expect(concerns(window({ matchers: [{ label: "host", op: "=", value: "db1" }] }), { host: "db2" })).toBe(false);
  });

  it("does not hold a label a series lacks against it, unless the labels are complete", () => {
    const w = window({ matchers: [{ label: "alertname", op: "=", value: "cpu_high" }] });
    expect(concerns(w, { host: "db1" })).toBe(true);
    expect(concerns(w, { host: "db1" }, true)).toBe(false);
    expect(concerns(w, { alertname: "cpu_high" }, true)).toBe(true);
  });

  it("treats an invalid regex as no match instead of throwing", () => {
    expect(concerns(window({ matchers: [{ label: "host", op: "=~", value: "(" }] }), { host: "(" })).toBe(false);
  });
});

describe("shadesFor", () => {
  it("clips the occurrences of the windows that concern the labels to the range, oldest first", () => {
    const windows = [
      window({
        name: "late",
        occurrences: [{ start: iso(T0 + 7200), end: iso(T0 + 90000), clipped_start: false, clipped_end: false }],
      }),
      window({
        name: "early",
        matchers: [],
        occurrences: [
          { start: iso(T0 - 600), end: iso(T0 + 600), clipped_start: false, clipped_end: false },
          { start: iso(T0 + 90000), end: iso(T0 + 93600), clipped_start: false, clipped_end: false },
        ],
      }),
      window({ name: "elsewhere", matchers: [{ label: "host", op: "=", value: "web1" }], occurrences: [{ start: iso(T0), end: iso(T0 + 60), clipped_start: false, clipped_end: false }] }),
    ];
    expect(shadesFor(windows, { host: "db1" }, T0, T0 + 86400)).toEqual([
      { from: T0, to: T0 + 600, label: "early" },
      { from: T0 + 7200, to: T0 + 86400, label: "late" },
    ]);
  });
});

describe("windowStatus and sortWindows", () => {
  const now = Date.parse("2026-11-26T12:00:00Z");
  const active = window({ name: "b active", active: true, next_change: new Date(now + 3600_000).toISOString() });
  const endless = window({ name: "a endless", active: true, next_change: null });
  const soon = window({ name: "soon", next_change: new Date(now + 60_000).toISOString() });
  const later = window({ name: "later", next_change: new Date(now + 86_400_000).toISOString() });
  const never = window({ name: "never" });

  it("says whether a window holds and until when, or when it next opens", () => {
    expect(windowStatus(active)).toEqual({ state: "active", until: now + 3600_000 });
    expect(windowStatus(endless)).toEqual({ state: "active", until: null });
    expect(windowStatus(soon)).toEqual({ state: "upcoming", at: now + 60_000 });
    expect(windowStatus(never)).toEqual({ state: "none" });
  });

  it("lists active windows first, then the soonest to open", () => {
    expect(sortWindows([never, later, endless, soon, active]).map((w) => w.name)).toEqual(["b active", "a endless", "soon", "later", "never"]);
  });

  it("writes matchers like alerts.yml", () => {
    expect(matchersText(active.matchers)).toBe('host=~"db.*"');
    expect(matchersText([])).toBe("every alert");
  });
});
