/** Turning raw samples into what the dashboard shows: the host's latest values per tile. */

import { compareText } from "./format";
import type { Labels, Sample } from "./types";

/**
 * Labels that mark a sample as belonging to something other than a host
 * (a container's `cpu_usage`, a service's `response_time`, …).
 */
const NON_HOST_LABELS = ["container", "service"] as const;

export function isHostLevel(labels: Labels): boolean {
  return NON_HOST_LABELS.every((key) => !(key in labels));
}

/** `true` when a host-level series belongs to `host` (or no host is chosen / labelled). */
export function matchesHost(labels: Labels, host: string | undefined): boolean {
  if (!isHostLevel(labels)) return false;
  return host === undefined || labels.host === undefined || labels.host === host;
}

/** The metrics the host tiles and the live chart show (what the hub's own host collects). */
const HOST_TILE_METRICS = new Set(["cpu_usage", "memory_usage", "system_load", "disk_usage", "network_io"]);

/**
 * The host the dashboard's host tiles show: the one reporting the most series of the tiles'
 * metrics (the hub's own host, which runs every collector, rather than an agent pushing its
 * own metrics — even many of them), then the most host-level series; among equals the first
 * listed.
 */
export function pickHost(samples: readonly Sample[]): string | undefined {
  const counts = new Map<string, [tiles: number, all: number]>();
  for (const s of samples) {
    const host = s.labels.host;
    if (host === undefined || !isHostLevel(s.labels)) continue;
    const [tiles, all] = counts.get(host) ?? [0, 0];
    counts.set(host, [tiles + (HOST_TILE_METRICS.has(s.name) ? 1 : 0), all + 1]);
  }
  let best: string | undefined;
  let bestCount: [number, number] = [-1, -1];
  for (const [host, count] of counts) {
    if (count[0] > bestCount[0] || (count[0] === bestCount[0] && count[1] > bestCount[1])) {
      best = host;
      bestCount = count;
    }
  }
  return best;
}

/** Stable identity of a series: name plus its labels in key order. */
export function seriesKey(name: string, labels: Labels): string {
  const parts = Object.keys(labels)
    .sort()
    .map((key) => `${key}=${labels[key]}`);
  return `${name}{${parts.join(",")}}`;
}

export type Latest = ReadonlyMap<string, Sample>;

/** The newest sample per series after applying `samples` (older samples never win). */
export function mergeLatest(latest: Latest, samples: readonly Sample[]): Latest {
  const next = new Map(latest);
  for (const sample of samples) {
    const key = seriesKey(sample.name, sample.labels);
    const known = next.get(key);
    if (!known || known.time <= sample.time) next.set(key, sample);
  }
  return next;
}

/**
 * Seconds a series stays on the overview after its newest sample: the hub's own window for
 * current values (`LOOKBACK` in hub/alerts/engine.py, used by `/api/v1/metrics/current`).
 */
export const CURRENT_WINDOW_SECONDS = 300;

/**
 * `latest` without the series that stopped reporting: those whose newest sample is more than
 * `window` seconds older than the newest sample of all. Measured on the hub's clock (sample
 * times), not the browser's, and only against what has arrived, so last known values stay
 * while the hub is unreachable. Without this, a mount or interface that went away kept its
 * tile and its share of the network sums until the next reconnect, and an overview open for
 * days kept every series it ever saw. The same map when nothing is dropped (no re-render).
 */
export function dropVanished(latest: Latest, window = CURRENT_WINDOW_SECONDS): Latest {
  let newest = -Infinity;
  for (const sample of latest.values()) newest = Math.max(newest, sample.time);
  const cutoff = newest - window;
  const kept = [...latest].filter(([, sample]) => sample.time >= cutoff);
  return kept.length === latest.size ? latest : new Map(kept);
}

export interface DiskUsage {
  mount: string;
  value: number;
}

/** What the host tiles show; `null` means "no sample yet". */
export interface HostSnapshot {
  cpu: number | null;
  memory: number | null;
  load1: number | null;
  disks: DiskUsage[];
  /** Bytes per second, summed over all reported interfaces. */
  rx: number | null;
  tx: number | null;
}

export function hostSnapshot(latest: Latest, host: string | undefined): HostSnapshot {
  const snapshot: HostSnapshot = {
    cpu: null,
    memory: null,
    load1: null,
    disks: [],
    rx: null,
    tx: null,
  };
  for (const { name, labels, value } of latest.values()) {
    if (!matchesHost(labels, host) || !Number.isFinite(value)) continue;
    switch (name) {
      case "cpu_usage":
        snapshot.cpu = value;
        break;
      case "memory_usage":
        snapshot.memory = value;
        break;
      case "system_load":
        if (labels.period === "1m") snapshot.load1 = value;
        break;
      case "disk_usage":
        if (labels.mount !== undefined) snapshot.disks.push({ mount: labels.mount, value });
        break;
      case "network_io":
        if (labels.direction === "rx") snapshot.rx = (snapshot.rx ?? 0) + value;
        else if (labels.direction === "tx") snapshot.tx = (snapshot.tx ?? 0) + value;
        break;
      default:
        break;
    }
  }
  snapshot.disks.sort((a, b) => compareText(a.mount, b.mount));
  return snapshot;
}

/**
 * The state after a full refetch: exactly the series the hub reports now (so a vanished
 * mount or interface disappears), except where a live event already brought a newer sample.
 */
export function replaceLatest(previous: Latest, fetched: readonly Sample[]): Latest {
  const fresh = mergeLatest(new Map(), fetched);
  const stillReported = [...previous.entries()]
    .filter(([key]) => fresh.has(key))
    .map(([, sample]) => sample);
  const next = mergeLatest(fresh, stillReported);
  // Nothing new (a resync right after the first load): keep the map, so nothing re-renders.
  const same =
    next.size === previous.size &&
    [...next].every(([key, sample]) => {
      const known = previous.get(key);
      return known !== undefined && known.time === sample.time && known.value === sample.value && known.unit === sample.unit;
    });
  return same ? previous : next;
}
