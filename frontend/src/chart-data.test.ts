import { describe, expect, it } from "vitest";
import { MAX_ROWS, appendSamples, chartFromSeries, emptyChart, timeWindow, withNewerRows } from "./chart-data";
import type { Sample, Series } from "./types";

const T = 1_764_170_000;
const series = (name: string, timestamps: number[], values: number[], labels = { host: "h1" }): Series => ({
  name,
  labels,
  timestamps,
  values,
});
const sample = (name: string, time: number, value: number, labels: Record<string, string> = { host: "h1" }): Sample => ({
  name,
  labels,
  value,
  time,
});

describe("chartFromSeries", () => {
  it("aligns cpu and memory on one time axis, rounding to seconds", () => {
    const data = chartFromSeries(
      [series("cpu_usage", [T, T + 10], [1, 2]), series("memory_usage", [T + 0.0003, T + 20], [30, 40])],
      "h1",
    );
    expect(data.t).toEqual([T, T + 10, T + 20]);
    expect(data.cpu).toEqual([1, 2, null]);
    expect(data.mem).toEqual([30, null, 40]);
  });

  it("ignores container series and other hosts", () => {
    const data = chartFromSeries(
      [
        series("cpu_usage", [T], [99], { host: "h1", container: "web" } as { host: string }),
        series("cpu_usage", [T], [88], { host: "h2" }),
        series("cpu_usage", [T], [5]),
      ],
      "h1",
    );
    expect(data.cpu).toEqual([5]);
  });

  it("keeps only the last hour", () => {
    const data = chartFromSeries([series("cpu_usage", [T - 4000, T - 3600, T], [1, 2, 3])], "h1");
    expect(data.t).toEqual([T - 3600, T]);
  });
});

describe("appendSamples", () => {
  it("appends a live batch and drops points older than one hour", () => {
    let data = chartFromSeries([series("cpu_usage", [T, T + 1800], [1, 2])], "h1");
    data = appendSamples(data, [sample("cpu_usage", T + 3601, 3), sample("memory_usage", T + 3601, 50)], "h1");
    expect(data.t).toEqual([T + 1800, T + 3601]);
    expect(data.cpu).toEqual([2, 3]);
    expect(data.mem).toEqual([null, 50]);
  });

  it("returns the same object when the batch has nothing for the chart", () => {
    const data = emptyChart();
    expect(appendSamples(data, [sample("disk_usage", T, 5)], "h1")).toBe(data);
    expect(appendSamples(data, [sample("cpu_usage", T, 5, { host: "h1", container: "x" })], "h1")).toBe(data);
  });

  it("does not mutate the previous data (UI state stays comparable)", () => {
    const data = chartFromSeries([series("cpu_usage", [T], [1])], "h1");
    const next = appendSamples(data, [sample("cpu_usage", T + 5, 2)], "h1");
    expect(data.t).toEqual([T]);
    expect(next.t).toEqual([T, T + 5]);
  });

  it("puts a late sample in time order", () => {
    let data = appendSamples(emptyChart(), [sample("cpu_usage", T + 10, 2)], "h1");
    data = appendSamples(data, [sample("cpu_usage", T, 1)], "h1");
    expect(data.t).toEqual([T, T + 10]);
    expect(data.cpu).toEqual([1, 2]);
  });
});

describe("withNewerRows", () => {
  it("keeps live rows that arrived after the refetch's newest row", () => {
    const fetched = chartFromSeries([series("cpu_usage", [T, T + 10], [1, 2])], "h1");
    const live = appendSamples(emptyChart(), [sample("cpu_usage", T + 10, 9), sample("cpu_usage", T + 20, 3)], "h1");
    const merged = withNewerRows(fetched, live);
    expect(merged.t).toEqual([T, T + 10, T + 20]);
    expect(merged.cpu).toEqual([1, 2, 3]);
  });
});

describe("timeWindow", () => {
  it("spans the last hour ending at the newest sample", () => {
    expect(timeWindow(10_000, 99_999)).toEqual([6_400, 10_000]);
  });

  it("ends now while there is no data yet", () => {
    expect(timeWindow(null, 50_000)).toEqual([46_400, 50_000]);
  });
});

describe("the row cap", () => {
  it("keeps at most MAX_ROWS rows of a 1 s stream: the whole window, every newest point", () => {
    let data = emptyChart();
    for (let i = 0; i < 3600; i++) data = appendSamples(data, [sample("cpu_usage", T + i, i)], "h1");
    expect(data.t.length).toBeLessThanOrEqual(MAX_ROWS);
    expect(data.t.length).toBeGreaterThan(MAX_ROWS / 2);
    expect(data.t[0]).toBe(T); // the oldest row stays: the window is still an hour
    expect(data.t.at(-1)).toBe(T + 3599);
    const newest = data.t.slice(-MAX_ROWS / 4);
    expect(newest).toEqual(newest.map((_, i) => T + 3600 - MAX_ROWS / 4 + i)); // no gaps there
    expect(data.cpu.every((v, i) => v === (data.t[i] as number) - T)).toBe(true); // rows intact
    expect(data.t.every((t, i) => i === 0 || t > (data.t[i - 1] as number))).toBe(true);
  });

  it("thins a fetched hour and a merge the same way", () => {
    const times = Array.from({ length: 3600 }, (_, i) => T + i);
    const fetched = chartFromSeries([series("cpu_usage", times, times.map((t) => t - T))], "h1");
    expect(fetched.t.length).toBeLessThanOrEqual(MAX_ROWS);
    expect(fetched.t[0]).toBe(T);
    const small = { t: [T, T + 1, T + 2, T + 3], cpu: [0, 1, 2, 3], mem: [null, null, null, null] };
    const live = { t: [T + 4, T + 5], cpu: [4, 5], mem: [null, null] };
    expect(withNewerRows(small, live, 4).t).toEqual([T, T + 3, T + 4, T + 5]); // two passes
    expect(withNewerRows(small, live).t).toHaveLength(6);
  });
});
