/** Alert list bookkeeping (pure). */

import type { Alert } from "./types";

/** Whether `a` is a newer copy of an alert than `b` (or as new). */
function isNewer(a: Alert, b: Alert): boolean {
  return Date.parse(a.updated_at ?? "") >= Date.parse(b.updated_at ?? "") || !b.updated_at;
}

/**
 * Replace the alert with the same id in place, or put a new one first (the list is newest
 * first). An older copy never replaces a newer one: events and responses can arrive out of order.
 */
export function upsertAlert(alerts: readonly Alert[], alert: Alert): Alert[] {
  const at = alerts.findIndex((a) => a.id === alert.id);
  const current = alerts[at];
  if (current === undefined) return [alert, ...alerts];
  if (!isNewer(alert, current)) return alerts as Alert[];
  const next = alerts.slice();
  next[at] = alert;
  return next;
}

/**
 * A fetched list merged with what is shown: the fetch decides which alerts exist, but for each
 * alert the newer copy wins, so a fetch that started before an ack cannot undo it on screen.
 * Alerts shown but missing from the fetch stay only if they changed after its newest alert.
 */
export function mergeAlerts(shown: readonly Alert[], fetched: readonly Alert[]): Alert[] {
  const byId = new Map(shown.map((a) => [a.id, a]));
  const merged = fetched.map((a) => {
    const mine = byId.get(a.id);
    return mine && !isNewer(a, mine) ? mine : a;
  });
  const newest = Math.max(...fetched.map((a) => Date.parse(a.updated_at ?? "") || 0), 0);
  const fetchedIds = new Set(fetched.map((a) => a.id));
  const later = shown.filter(
    (a) => !fetchedIds.has(a.id) && (Date.parse(a.updated_at ?? "") || 0) > newest,
  );
  // Nothing new (a resync right after the first load): keep the list, so nothing re-renders.
  if (later.length === 0 && merged.length === shown.length && merged.every((a, i) => a === shown[i] || JSON.stringify(a) === JSON.stringify(shown[i]))) {
    return shown as Alert[];
  }
  return [...later, ...merged];
}

/** Whether a person can acknowledge it now. */
export function canAck(alert: Alert): boolean {
  return alert.state === "firing" || alert.state === "pending";
}
