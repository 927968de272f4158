/** Maintenance windows for the view and the charts' shading (pure). */

import type { MaintenanceWindow, Matcher } from "./types";

/** A shaded span on a chart (unix seconds). */
export interface Shade {
  from: number;
  to: number;
  label: string;
}

function holds(matcher: Matcher, actual: string): boolean {
  switch (matcher.op) {
    case "=":
      return actual === matcher.value;
    case "!=":
      return actual !== matcher.value;
    default: {
      let pattern: RegExp;
      try {
        pattern = new RegExp(`^(?:${matcher.value})$`); // the hub anchors regex matchers too
      } catch {
        return false;
      }
      return pattern.test(actual) === (matcher.op === "=~");
    }
  }
}

/**
 * Whether a window's matchers may concern data with `labels`. With `complete` (an alert's
 * labels) every matcher must hold, a missing label reading as ""; otherwise (a series' labels)
 * a matcher on a label the series lacks — alertname, severity — is not held against it.
 */
export function concerns(window: MaintenanceWindow, labels: Readonly<Record<string, string>>, complete = false): boolean {
  return window.matchers.every((m) => {
    const actual = labels[m.label];
    if (actual === undefined && !complete) return true;
    return holds(m, actual ?? "");
  });
}

/** The occurrences of the windows that concern `labels`, clipped to [from, to], oldest first. */
export function shadesFor(
  windows: readonly MaintenanceWindow[],
  labels: Readonly<Record<string, string>>,
  from: number,
  to: number,
  complete = false,
): Shade[] {
  const out: Shade[] = [];
  for (const window of windows) {
    if (!concerns(window, labels, complete)) continue;
    for (const o of window.occurrences) {
      const start = Math.max(from, Date.parse(o.start) / 1000);
      const end = Math.min(to, Date.parse(o.end) / 1000);
      if (Number.isFinite(start) && Number.isFinite(end) && end > start) out.push({ from: start, to: end, label: window.name });
    }
  }
  return out.sort((a, b) => a.from - b.from);
}

/** Whether the window holds now and until when, or when it next opens (ms since the epoch). */
export type WindowStatus =
  | { state: "active"; until: number | null }
  | { state: "upcoming"; at: number }
  | { state: "none" };

export function windowStatus(window: MaintenanceWindow): WindowStatus {
  const next = window.next_change ? Date.parse(window.next_change) : Number.NaN;
  if (window.active) return { state: "active", until: Number.isFinite(next) ? next : null };
  return Number.isFinite(next) ? { state: "upcoming", at: next } : { state: "none" };
}

/** Active windows first, then by the time they next open; windows that never open last. */
export function sortWindows(windows: readonly MaintenanceWindow[]): MaintenanceWindow[] {
  const rank = (w: MaintenanceWindow) => {
    const status = windowStatus(w);
    if (status.state === "active") return [0, status.until ?? Infinity] as const;
    if (status.state === "upcoming") return [1, status.at] as const;
    return [2, 0] as const;
  };
  return [...windows].sort((a, b) => {
    const [ra, ta] = rank(a);
    const [rb, tb] = rank(b);
    return ra - rb || ta - tb || a.name.localeCompare(b.name);
  });
}

/** `host=~"db.*", service="api"`; "every alert" without matchers. */
export function matchersText(matchers: readonly Matcher[]): string {
  return matchers.length === 0 ? "every alert" : matchers.map((m) => `${m.label}${m.op}"${m.value}"`).join(", ");
}
