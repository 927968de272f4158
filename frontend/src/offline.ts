/** The last known answers of a few GETs, kept in localStorage for when the hub is unreachable. */

const PREFIX = "tcf-hub:last:";

export interface Remembered<T> {
  /** ms since the epoch when it was fetched. */
  at: number;
  data: T;
}

type Listener = (at: number | null) => void;
const listeners = new Set<Listener>();

function storage(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined; // Storage disabled (private mode, sandboxed frame).
  }
}

/** Keep `data` as the last known answer for `path`; the app is online again. */
export function remember(path: string, data: unknown, now = Date.now()): void {
  try {
    storage()?.setItem(PREFIX + path, JSON.stringify({ at: now, data }));
  } catch {
    // Quota exceeded: the data is still shown, only not kept.
  }
  for (const listener of listeners) listener(null);
}

/** The last known answer for `path`, and tell listeners the app shows data from then. */
export function recall<T>(path: string): T | undefined {
  const text = storage()?.getItem(PREFIX + path);
  if (!text) return undefined;
  try {
    const known = JSON.parse(text) as Remembered<T>;
    for (const listener of listeners) listener(known.at);
    return known.data;
  } catch {
    return undefined;
  }
}

/** Called with the time of the data shown when offline, and `null` when back online. */
export function onStale(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
