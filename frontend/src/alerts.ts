/** Alert list bookkeeping (pure). */

import type { Alert } from "./types";

/** Replace the alert with the same id in place, or put a new one first (the list is newest first). */
export function upsertAlert(alerts: readonly Alert[], alert: Alert): Alert[] {
  const at = alerts.findIndex((a) => a.id === alert.id);
  if (at === -1) return [alert, ...alerts];
  const next = alerts.slice();
  next[at] = alert;
  return next;
}

/** Whether a person can acknowledge it now. */
export function canAck(alert: Alert): boolean {
  return alert.state === "firing" || alert.state === "pending";
}
