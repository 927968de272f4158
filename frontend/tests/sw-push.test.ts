// @vitest-environment node
/**
 * Runs the push and notificationclick handlers of public/sw.js against a fake worker scope:
 * the notification shown for a C9 payload, and what Acknowledge, Open and a plain click do.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import { renderServiceWorker } from "../tools/sw-shell.ts";

const ORIGIN = "https://hub.example";
type Listener = (event: unknown) => void;

interface FakeWindow {
  url: string;
  focus: ReturnType<typeof vi.fn>;
  navigate: ReturnType<typeof vi.fn>;
}

const PAYLOAD = {
  id: 7,
  title: "[FIRING] service_down api",
  body: "api is down",
  severity: "critical",
  url: "http://127.0.0.1:3001/alerts/7",
  ack_token: "tok-123",
  status: "firing",
  topic: "0123456789abcdef",
};

function loadWorker(windows: FakeWindow[] = [], network?: (r: Request) => Promise<Response>) {
  const listeners = new Map<string, Listener>();
  const shown: { title: string; options: Record<string, unknown> }[] = [];
  const scope = {
    location: new URL(`${ORIGIN}/sw.js`),
    addEventListener: (type: string, listener: Listener) => listeners.set(type, listener),
    skipWaiting: vi.fn(async () => {}),
    registration: {
      showNotification: vi.fn(async (title: string, options: Record<string, unknown>) => {
        shown.push({ title, options });
      }),
    },
    clients: {
      claim: vi.fn(async () => {}),
      matchAll: vi.fn(async () => windows),
      openWindow: vi.fn(async (url: string) => ({ url })),
    },
  };
  const fetch = vi.fn(network ?? (async () => new Response("{}", { status: 200 })));
  const source = renderServiceWorker(readFileSync(new URL("../public/sw.js", import.meta.url), "utf8"), {
    version: "v1",
    shell: ["/"],
  });
  new Function("self", "caches", "fetch", source)(scope, {}, (input: string, init: RequestInit) =>
    fetch(new Request(new URL(input, ORIGIN), init)),
  );

  const dispatch = async (type: string, event: Record<string, unknown>) => {
    let done: Promise<unknown> = Promise.resolve();
    listeners.get(type)?.({ ...event, waitUntil: (p: Promise<unknown>) => (done = p) });
    await done;
  };
  const push = (data: unknown) =>
    dispatch("push", {
      data:
        data === null
          ? null
          : {
              json: () => (typeof data === "string" ? JSON.parse(data) : data),
            },
    });
  const click = (action: string, data: unknown = PAYLOAD) => {
    const close = vi.fn();
    return dispatch("notificationclick", { action, notification: { data, close } }).then(() => close);
  };
  return { scope, shown, fetch, push, click };
}

function fakeWindow(url: string): FakeWindow {
  const win: FakeWindow = { url, focus: vi.fn(async () => win), navigate: vi.fn() };
  win.navigate.mockImplementation(async (to: string) => ({ ...win, url: to }));
  return win;
}

describe("service worker push", () => {
  it("shows a firing alert with Acknowledge and Open, tagged by its topic", async () => {
    const sw = loadWorker();
    await sw.push(PAYLOAD);
    expect(sw.shown).toHaveLength(1);
    const { title, options } = sw.shown[0];
    expect(title).toBe("[FIRING] service_down api");
    expect(options.body).toBe("api is down");
    expect(options.tag).toBe("0123456789abcdef");
    expect(options.requireInteraction).toBe(true);
    expect(options.data).toEqual(PAYLOAD);
    expect(options.actions).toEqual([
      { action: "ack", title: "Acknowledge" },
      { action: "open", title: "Open" },
    ]);
  });

  it("shows a resolution without Acknowledge, replacing the firing one (same tag)", async () => {
    const sw = loadWorker();
    await sw.push({ ...PAYLOAD, status: "resolved", ack_token: null, title: "[RESOLVED] x" });
    const { options } = sw.shown[0];
    expect(options.tag).toBe("0123456789abcdef");
    expect(options.requireInteraction).toBe(false);
    expect(options.actions).toEqual([{ action: "open", title: "Open" }]);
  });

  it("still shows a notification for a push it cannot read", async () => {
    const sw = loadWorker();
    await sw.push(null);
    await sw.push({ nothing: true });
    expect(sw.shown.map((n) => n.title)).toEqual(["tcf-hub", "tcf-hub"]);
  });

  it("Acknowledge POSTs the ack token to the alert and confirms quietly", async () => {
    const sw = loadWorker();
    const close = await sw.click("ack");
    expect(close).toHaveBeenCalled();
    expect(sw.fetch).toHaveBeenCalledTimes(1);
    const request = sw.fetch.mock.calls[0][0] as Request;
    expect(request.method).toBe("POST");
    expect(new URL(request.url).pathname).toBe("/api/v1/alerts/7/ack");
    expect(await request.json()).toEqual({ ack_token: "tok-123" });
    expect(sw.shown[0].options.body).toBe("Acknowledged: [FIRING] service_down api");
    expect(sw.shown[0].options.tag).toBe("0123456789abcdef");
    expect(sw.scope.clients.openWindow).not.toHaveBeenCalled();
  });

  it("opens the alert page when the ack token is refused", async () => {
    const sw = loadWorker([], async () => new Response('{"detail":"used"}', { status: 403 }));
    await sw.click("ack");
    expect(sw.scope.clients.openWindow).toHaveBeenCalledWith(`${ORIGIN}/alerts/7`);
    expect(sw.shown).toEqual([]);
  });

  it("opens the alert page when offline", async () => {
    const sw = loadWorker([], async () => {
      throw new TypeError("offline");
    });
    await sw.click("ack");
    expect(sw.scope.clients.openWindow).toHaveBeenCalledWith(`${ORIGIN}/alerts/7`);
  });

  it("a plain click (no actions support) opens the alert page on the worker's origin", async () => {
    const sw = loadWorker();
    await sw.click("");
    expect(sw.fetch).not.toHaveBeenCalled();
    expect(sw.scope.clients.openWindow).toHaveBeenCalledWith(`${ORIGIN}/alerts/7`);
  });

  it("Open focuses a window already showing the alert", async () => {
    const showing = fakeWindow(`${ORIGIN}/alerts/7`);
    const other = fakeWindow(`${ORIGIN}/`);
    const sw = loadWorker([other, showing]);
    await sw.click("open");
    expect(showing.focus).toHaveBeenCalled();
    expect(other.navigate).not.toHaveBeenCalled();
    expect(sw.scope.clients.openWindow).not.toHaveBeenCalled();
  });

  it("Open takes an open dashboard window to the alert", async () => {
    const other = fakeWindow(`${ORIGIN}/`);
    const sw = loadWorker([fakeWindow("https://elsewhere.example/"), other]);
    await sw.click("open");
    expect(other.navigate).toHaveBeenCalledWith(`${ORIGIN}/alerts/7`);
    expect(sw.scope.clients.openWindow).not.toHaveBeenCalled();
  });

  it("Open falls back to focusing a window it cannot navigate", async () => {
    const other = fakeWindow(`${ORIGIN}/`);
    other.navigate.mockRejectedValue(new TypeError("not controlled"));
    const sw = loadWorker([other]);
    await sw.click("open");
    expect(other.focus).toHaveBeenCalled();
  });

  it("a click on a notification without alert data opens the dashboard", async () => {
    const sw = loadWorker();
    await sw.click("", null);
    expect(sw.scope.clients.openWindow).toHaveBeenCalledWith(`${ORIGIN}/`);
  });
});
