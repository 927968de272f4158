/** A fetch replacement answering like the hub: routes are "METHOD /path" → handler. */
import { vi } from "vitest";
import type { Alert } from "../types";

export type Route = (body: unknown, url: URL) => Response | Promise<Response>;

export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

export function status(code: number): Response {
  return new Response(null, { status: code });
}

export function fakeHub(routes: Record<string, Route>) {
  const fetch = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input), "http://hub.test");
    const key = `${init.method ?? "GET"} ${url.pathname}`;
    const route = routes[key];
    if (!route) return status(404);
    const body = typeof init.body === "string" ? (JSON.parse(init.body) as unknown) : undefined;
    return route(body, url);
  });
  vi.stubGlobal("fetch", fetch);
  /** The calls made to `METHOD /path`, with their parsed JSON bodies. */
  const calls = (key: string) =>
    fetch.mock.calls
      .filter(([input, init]) => `${init?.method ?? "GET"} ${new URL(String(input), "http://hub.test").pathname}` === key)
      .map(([, init]) => (typeof init?.body === "string" ? (JSON.parse(init.body) as unknown) : undefined));
  return { fetch, calls };
}

export function alert(overrides: Partial<Alert> = {}): Alert {
  return {
    id: 1,
    rule: "cpu_high",
    state: "firing",
    severity: "critical",
    labels: { host: "h1" },
    annotations: { message: "CPU above 80% for 5 min" },
    value: 93.1,
    started_at: new Date(Date.now() - 3 * 60_000).toISOString(),
    fired_at: null,
    resolved_at: null,
    acknowledged_at: null,
    acknowledged_by: null,
    ack_comment: null,
    updated_at: new Date(Date.now() - 60_000).toISOString(),
    ...overrides,
  };
}
