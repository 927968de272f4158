/** The hub's Server-Sent Events stream, with reconnection and resync hooks. */

import type { Alert, Sample } from "./types";

/** `connecting` before the first open, `live` while open, `reconnecting` after a drop. */
export type LiveStatus = "connecting" | "live" | "reconnecting";

export interface LiveHandlers {
  samples(batch: Sample[]): void;
  alert(alert: Alert): void;
  status(status: LiveStatus): void;
  /**
   * The view may have missed events: refetch current state. Called on every open
   * (`afterError` false the first time — closing the gap between the initial fetch and the
   * subscription — and true after a drop) and when the browser gave up on the stream (which
   * it does on a non-200 answer such as 401, so the refetch is what notices the logout).
   */
  resync(afterError: boolean): void;
}

export interface LiveOptions {
  /** Delays (ms) between our own reconnect attempts once the browser has given up. */
  retryDelays?: readonly number[];
  EventSource?: typeof EventSource;
}

const DEFAULT_RETRY_DELAYS = [1000, 2000, 5000, 10000, 30000];

function parse<T>(event: Event): T | undefined {
  try {
    return JSON.parse((event as MessageEvent<string>).data) as T;
  } catch {
    return undefined; // A malformed event is dropped; the next one or a resync repairs the view.
  }
}

/** Open the stream; returns a function that closes it for good. */
export function connectLive(url: string, handlers: LiveHandlers, options: LiveOptions = {}): () => void {
  const Source = options.EventSource ?? EventSource;
  const delays = options.retryDelays ?? DEFAULT_RETRY_DELAYS;
  let source: EventSource | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let attempt = 0;
  let hadError = false;
  let stopped = false;

  const open = (): void => {
    timer = undefined;
    const es = new Source(url);
    source = es;
    es.addEventListener("open", () => {
      attempt = 0;
      handlers.status("live");
      const afterError = hadError;
      hadError = false;
      handlers.resync(afterError);
    });
    es.addEventListener("samples", (event) => {
      const batch = parse<Sample[]>(event);
      if (Array.isArray(batch)) handlers.samples(batch);
    });
    es.addEventListener("alert", (event) => {
      const alert = parse<Alert>(event);
      if (alert && typeof alert.id === "number") handlers.alert(alert);
    });
    es.addEventListener("error", () => {
      if (stopped) return;
      hadError = true;
      handlers.status("reconnecting");
      // CONNECTING: the browser retries by itself. CLOSED: it gave up; we retry with backoff.
      if (es.readyState === Source.CLOSED) {
        es.close();
        handlers.resync(true);
        const delay = delays[Math.min(attempt, delays.length - 1)] ?? 30000;
        attempt += 1;
        timer = setTimeout(open, delay);
      }
    });
  };

  handlers.status("connecting");
  open();
  return () => {
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
    source?.close();
  };
}
