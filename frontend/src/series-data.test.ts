import { describe, expect, it } from "vitest";
import { alert } from "./test/fake-hub";
import { WEEK, annotationsFor, bandData, panRange, pointsFor, summary, zoomRange } from "./series-data";
import type { BucketSeries } from "./types";

const series = (start: number, avg: (number | null)[], step = 60): BucketSeries => ({
  name: "cpu_usage",
  labels: {},
  start,
  step,
  avg,
  min: avg.map((v) => (v == null ? null : v - 1)),
  max: avg.map((v) => (v == null ? null : v + 1)),
});

describe("bandData", () => {
  it("aligns last week's buckets on the current ones", () => {
    const now = series(1000 + WEEK, [1, 2, 3, 4]);
    const before = series(1030, [10, 20, 30], 60); // offset by half a bucket, one bucket short
    const data = bandData(now, before);
    expect(data.t).toEqual([1000 + WEEK, 1060 + WEEK, 1120 + WEEK, 1180 + WEEK]);
    expect(data.previous).toEqual([null, 10, 20, 30]);
    expect(data.min).toEqual([0, 1, 2, 3]);
    expect(bandData(now).previous).toEqual([null, null, null, null]);
  });

  it("summarises min, average and max, skipping empty buckets", () => {
    expect(summary(bandData(series(0, [2, null, 4])))).toEqual({ min: 1, avg: 3, max: 5 });
    expect(summary(bandData(series(0, [null])))).toEqual({ min: null, avg: null, max: null });
  });
});

describe("ranges", () => {
  it("asks for about one point per two pixels, never more than 1000", () => {
    expect(pointsFor(600)).toBe(300);
    expect(pointsFor(10)).toBe(30);
    expect(pointsFor(5000)).toBe(1000);
  });

  it("zooms only on a real drag and in either direction", () => {
    expect(zoomRange(100, 200)).toEqual([100, 200]);
    expect(zoomRange(200, 100)).toEqual([100, 200]);
    expect(zoomRange(100, 130)).toBeNull();
    expect(zoomRange(Number.NaN, 100)).toBeNull();
  });

  it("pans by half the width, not past now", () => {
    expect(panRange(1000, 2000, -1, 5000)).toEqual([500, 1500]);
    expect(panRange(1000, 2000, 1, 5000)).toEqual([1500, 2500]);
    expect(panRange(1000, 2000, 1, 2200)).toEqual([1200, 2200]);
  });
});

describe("annotationsFor", () => {
  it("marks each transition inside the range, in time order", () => {
    const a = alert({
      rule: "cpu_high",
      started_at: new Date(100_000).toISOString(),
      fired_at: new Date(160_000).toISOString(),
      acknowledged_at: null,
      resolved_at: new Date(900_000).toISOString(),
    });
    expect(annotationsFor([a], 0, 500)).toEqual([
      { t: 100, kind: "started", label: "cpu_high started" },
      { t: 160, kind: "fired", label: "cpu_high fired" },
    ]);
  });
});
