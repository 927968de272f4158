import { describe, expect, it } from "vitest";
import { byUrgency, forecastText, topGrowers } from "./trends";
import type { Change, Forecast } from "./types";

const forecast = (name: string, slope: number, inSeconds: number | null): Forecast => ({
  name,
  labels: {},
  slope_per_day: slope,
  current: 50,
  r2: 0.9,
  samples: 100,
  threshold: 100,
  crossing: inSeconds === null ? null : { at: 0, in_seconds: inSeconds, reason: "crosses" },
});

const change = (name: string, percent: number | null, labels = {}): Change => ({
  name,
  labels,
  comparison: { current_mean: 2, previous_mean: 1, change: 1, change_percent: percent },
});

describe("forecasts", () => {
  it("says when a series is full, in words", () => {
    expect(forecastText(forecast("d", 2, 9 * 86400))).toBe("full in 9 days");
    expect(forecastText(forecast("d", 2, 0))).toBe("full now");
    expect(forecastText(forecast("d", -1, null))).toBe("not filling up");
    expect(forecastText(forecast("d", 1, null))).toBe("not full within the horizon");
  });

  it("orders the soonest full first, then the steepest", () => {
    const order = byUrgency([forecast("a", 1, null), forecast("b", 5, null), forecast("c", 1, 3600), forecast("d", 1, 60)]);
    expect(order.map((f) => f.name)).toEqual(["d", "c", "b", "a"]);
  });
});

describe("topGrowers", () => {
  it("keeps growing series, biggest growth first, each once", () => {
    const growers = topGrowers([change("a", 5), change("b", -10), change("c", 50), change("a", 5), change("d", null)], 5);
    expect(growers.map((c) => c.name)).toEqual(["c", "a"]);
    expect(topGrowers([change("a", 1), change("b", 2)], 1).map((c) => c.name)).toEqual(["b"]);
  });
});
