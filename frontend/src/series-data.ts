/** Bucketed series → uPlot's aligned columns, with last week's values and annotations (pure). */

import type { Alert, BucketSeries } from "./types";

export const WEEK = 7 * 86400;
/** Never more points than this per series (issue 7 budget). */
export const MAX_POINTS = 1000;

export interface RangeChoice {
  label: string;
  seconds: number;
}

export const RANGES: readonly RangeChoice[] = [
  { label: "15m", seconds: 900 },
  { label: "1h", seconds: 3600 },
  { label: "6h", seconds: 6 * 3600 },
  { label: "24h", seconds: 86400 },
  { label: "7d", seconds: 7 * 86400 },
  { label: "30d", seconds: 30 * 86400 },
];

/** How many buckets to ask for: about one per two CSS pixels, at most MAX_POINTS. */
export function pointsFor(width: number): number {
  return Math.max(30, Math.min(MAX_POINTS, Math.round(width / 2)));
}

export interface BandData {
  t: number[];
  min: (number | null)[];
  avg: (number | null)[];
  max: (number | null)[];
  /** Last week's average at the same times (null where it had none). */
  previous: (number | null)[];
}

/** Bucket start times of a series. */
export function bucketTimes(series: BucketSeries): number[] {
  return series.avg.map((_, i) => series.start + i * series.step);
}

/**
 * The current series' columns, plus `previous` (the same selector a week earlier) aligned on
 * the current buckets: for each bucket, last week's bucket that covers its time minus a week.
 */
export function bandData(current: BucketSeries, previous?: BucketSeries | null): BandData {
  const t = bucketTimes(current);
  const prior = t.map((time) => {
    if (!previous || previous.step <= 0) return null;
    const at = Math.floor((time - WEEK - previous.start) / previous.step);
    return at >= 0 && at < previous.avg.length ? (previous.avg[at] ?? null) : null;
  });
  return {
    t,
    min: current.min.slice(),
    avg: current.avg.slice(),
    max: current.max.slice(),
    previous: prior,
  };
}

/** min / avg / max over a band's buckets (missing buckets skipped). */
export function summary(data: BandData): { min: number | null; avg: number | null; max: number | null } {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let count = 0;
  data.avg.forEach((value, i) => {
    const low = data.min[i] ?? value;
    const high = data.max[i] ?? value;
    if (value == null || low == null || high == null) return;
    min = Math.min(min, low);
    max = Math.max(max, high);
    sum += value;
    count += 1;
  });
  return count === 0 ? { min: null, avg: null, max: null } : { min, avg: sum / count, max };
}

export interface Annotation {
  /** Unix seconds. */
  t: number;
  label: string;
  kind: "fired" | "resolved" | "acknowledged" | "started";
}

/** Alert transitions (started, fired, acknowledged, resolved) inside [from, to]. */
export function annotationsFor(alerts: readonly Alert[], from: number, to: number): Annotation[] {
  const out: Annotation[] = [];
  const add = (iso: string | null, kind: Annotation["kind"], alert: Alert) => {
    const t = iso ? Date.parse(iso) / 1000 : Number.NaN;
    if (Number.isFinite(t) && t >= from && t <= to) out.push({ t, kind, label: `${alert.rule} ${kind}` });
  };
  for (const alert of alerts) {
    add(alert.started_at, "started", alert);
    add(alert.fired_at, "fired", alert);
    add(alert.acknowledged_at, "acknowledged", alert);
    add(alert.resolved_at, "resolved", alert);
  }
  return out.sort((a, b) => a.t - b.t);
}

/** A zoom selection in seconds, refused when narrower than a minute (a click, not a drag). */
export function zoomRange(from: number, to: number): [number, number] | null {
  if (!Number.isFinite(from) || !Number.isFinite(to)) return null;
  const [a, b] = from < to ? [from, to] : [to, from];
  return b - a >= 60 ? [a, b] : null;
}

/** The range moved by half its width (`direction` −1 back, +1 forward), never past `now`. */
export function panRange(from: number, to: number, direction: -1 | 1, now: number): [number, number] {
  const width = to - from;
  const shift = (width / 2) * direction;
  const end = Math.min(now, to + shift);
  return [end - width, end];
}
