/** The live chart's data: one hour of cpu_usage and memory_usage aligned on a shared time axis. */

import { matchesHost } from "./metrics";
import type { Sample, Series } from "./types";

export const WINDOW_SECONDS = 3600;
/** The most rows the live chart keeps (the budget's points per series per chart). */
export const MAX_ROWS = 1000;

/** Columns in uPlot's "aligned data" layout: x values plus one y array per series. */
export interface ChartData {
  t: number[];
  cpu: (number | null)[];
  mem: (number | null)[];
}

type Column = "cpu" | "mem";

const COLUMNS: Record<string, Column> = { cpu_usage: "cpu", memory_usage: "mem" };

/** The metric names the chart plots, for `GET /api/v1/series?match=…`. */
export const CHART_METRICS = Object.keys(COLUMNS);

export function emptyChart(): ChartData {
  return { t: [], cpu: [], mem: [] };
}

function copy(data: ChartData): ChartData {
  return { t: data.t.slice(), cpu: data.cpu.slice(), mem: data.mem.slice() };
}

/** Index of the first timestamp >= t (binary search; timestamps are ascending). */
function lowerBound(ts: readonly number[], t: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((ts[mid] as number) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Set one value in place. Times are rounded to whole seconds so that the cpu and memory
 * samples of one collection round, taken microseconds apart, share a row.
 */
function setPoint(data: ChartData, column: Column, time: number, value: number | null): void {
  const t = Math.round(time);
  const at = lowerBound(data.t, t);
  if (data.t[at] !== t) {
    data.t.splice(at, 0, t);
    data.cpu.splice(at, 0, null);
    data.mem.splice(at, 0, null);
  }
  data[column][at] = value;
}

/** Drop rows older than `windowSeconds` before the newest row (in place). */
function trim(data: ChartData, windowSeconds: number): void {
  const newest = data.t[data.t.length - 1];
  if (newest === undefined) return;
  const keepFrom = lowerBound(data.t, newest - windowSeconds);
  if (keepFrom > 0) {
    data.t.splice(0, keepFrom);
    data.cpu.splice(0, keepFrom);
    data.mem.splice(0, keepFrom);
  }
}

/**
 * Keep at most `maxRows` rows (in place): past it, every other row of the older half goes, so
 * the window stays whole, the newest half keeps every point and older ones thin out (collection
 * intervals under 3.6 s would otherwise put more than 1000 points of an hour on one chart).
 */
function thin(data: ChartData, maxRows: number): void {
  while (data.t.length > maxRows && data.t.length > 3) {
    const half = Math.floor(data.t.length / 2);
    const keep = (_: unknown, i: number) => i >= half || i % 2 === 0;
    data.t = data.t.filter(keep);
    data.cpu = data.cpu.filter(keep);
    data.mem = data.mem.filter(keep);
  }
}

/** Build the chart from the series API's answers, keeping the chosen host's series only. */
export function chartFromSeries(
  series: readonly Series[],
  host: string | undefined,
  windowSeconds = WINDOW_SECONDS,
  maxRows = MAX_ROWS,
): ChartData {
  const data = emptyChart();
  const seen = new Set<Column>();
  for (const s of series) {
    const column = COLUMNS[s.name];
    // One line per metric: the first matching series wins (the hub's own host).
    if (!column || seen.has(column) || !matchesHost(s.labels, host)) continue;
    seen.add(column);
    s.timestamps.forEach((time, i) => setPoint(data, column, time, s.values[i] ?? null));
  }
  trim(data, windowSeconds);
  thin(data, maxRows);
  return data;
}

/**
 * Append a live batch. Returns the same object when the batch holds nothing for the chart,
 * otherwise a new one (so UI state updates are cheap to detect).
 */
export function appendSamples(
  data: ChartData,
  samples: readonly Sample[],
  host: string | undefined,
  windowSeconds = WINDOW_SECONDS,
  maxRows = MAX_ROWS,
): ChartData {
  const relevant = samples.filter((s) => COLUMNS[s.name] && matchesHost(s.labels, host));
  if (relevant.length === 0) return data;
  const next = copy(data);
  for (const s of relevant) setPoint(next, COLUMNS[s.name] as Column, s.time, s.value);
  trim(next, windowSeconds);
  thin(next, maxRows);
  return next;
}

/** `base` (a refetch) plus the rows of `live` that are newer than anything in it. */
export function withNewerRows(base: ChartData, live: ChartData, maxRows = MAX_ROWS): ChartData {
  const last = base.t[base.t.length - 1];
  const from = last === undefined ? 0 : lowerBound(live.t, last + 1);
  if (from >= live.t.length) return base;
  const merged = {
    t: base.t.concat(live.t.slice(from)),
    cpu: base.cpu.concat(live.cpu.slice(from)),
    mem: base.mem.concat(live.mem.slice(from)),
  };
  thin(merged, maxRows);
  return merged;
}

/**
 * The chart's time axis: always the full window ending at the newest sample (or now, before
 * any), so the first minutes of data do not stretch across the whole width.
 */
export function timeWindow(newest: number | null, now: number, windowSeconds = WINDOW_SECONDS): [number, number] {
  const end = newest ?? now;
  return [end - windowSeconds, end];
}
