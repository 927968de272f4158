// @vitest-environment node
/**
 * Runs public/sw.js against a fake ServiceWorkerGlobalScope and CacheStorage, with the
 * network replaced, and checks the caching rules the dashboard relies on.
 */
import { readFileSync } from "node:fs";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { renderServiceWorker } from "../tools/sw-shell.ts";

const ORIGIN = "https://hub.example";
const SHELL = ["/", "/assets/index-abc.js", "/manifest.webmanifest"];

type Listener = (event: unknown) => void;

class FakeCache {
  readonly entries = new Map<string, Response>();
  async addAll(urls: string[]) {
    for (const url of urls) this.entries.set(new URL(url, ORIGIN).href, new Response(`shell ${url}`));
  }
  async put(request: Request | string, response: Response) {
    this.entries.set(new URL(typeof request === "string" ? request : request.url, ORIGIN).href, response);
  }
  async match(request: Request | string) {
    return this.entries.get(new URL(typeof request === "string" ? request : request.url, ORIGIN).href)?.clone();
  }
}

class FakeCaches {
  readonly stores = new Map<string, FakeCache>();
  async open(name: string) {
    if (!this.stores.has(name)) this.stores.set(name, new FakeCache());
    return this.stores.get(name) as FakeCache;
  }
  async keys() {
    return [...this.stores.keys()];
  }
  async delete(name: string) {
    return this.stores.delete(name);
  }
  async match(request: Request | string, options: { cacheName?: string } = {}) {
    const names = options.cacheName ? [options.cacheName] : [...this.stores.keys()];
    for (const name of names) {
      const hit = await this.stores.get(name)?.match(request);
      if (hit) return hit;
    }
    return undefined;
  }
}

function loadWorker() {
  const listeners = new Map<string, Listener>();
  const scope = {
    location: new URL(`${ORIGIN}/sw.js`),
    addEventListener: (type: string, listener: Listener) => listeners.set(type, listener),
    skipWaiting: vi.fn(async () => {}),
    clients: { claim: vi.fn(async () => {}) },
  };
  const caches = new FakeCaches();
  const network = vi.fn(async (request: Request) => new Response(`network ${new URL(request.url).pathname}`));
  const source = renderServiceWorker(readFileSync(new URL("../public/sw.js", import.meta.url), "utf8"), {
    version: "v1",
    shell: SHELL,
  });
  new Function("self", "caches", "fetch", source)(scope, caches, network);

  const lifecycle = async (type: "install" | "activate") => {
    let done: Promise<unknown> = Promise.resolve();
    listeners.get(type)?.({ waitUntil: (p: Promise<unknown>) => (done = p) });
    await done;
  };
  /** Dispatch a fetch; resolves to the worker's response, or `undefined` if it let it pass. */
  const request = async (path: string, init: { mode?: string; method?: string } = {}) => {
    const req = new Request(new URL(path, ORIGIN), { method: init.method ?? "GET" });
    // Node's Request refuses mode "navigate"; the worker only reads it.
    Object.defineProperty(req, "mode", { value: init.mode ?? "cors" });
    let responded: Promise<Response> | undefined;
    listeners.get("fetch")?.({ request: req, respondWith: (r: Promise<Response>) => (responded = r) });
    return responded ? await responded : undefined;
  };
  /** Post a message to the worker, as a page's `registration.waiting.postMessage` does. */
  const message = (data: unknown) => listeners.get("message")?.({ data });
  return { scope, caches, network, lifecycle, request, message };
}

describe("service worker", () => {
  let sw: ReturnType<typeof loadWorker>;
  beforeEach(() => {
    sw = loadWorker();
  });

  it("precaches the build's shell on install and waits to be told to take over", async () => {
    await sw.lifecycle("install");
    const cache = sw.caches.stores.get("tcf-hub-v1");
    expect([...(cache?.entries.keys() ?? [])]).toEqual(SHELL.map((p) => new URL(p, ORIGIN).href));
    // A new version waits (the page shows "Reload"); the first worker activates by itself.
    expect(sw.scope.skipWaiting).not.toHaveBeenCalled();
    sw.message({ type: "something else" });
    expect(sw.scope.skipWaiting).not.toHaveBeenCalled();
    sw.message({ type: "SKIP_WAITING" });
    expect(sw.scope.skipWaiting).toHaveBeenCalledTimes(1);
  });

  it("drops caches of older builds on activate and claims the clients", async () => {
    await sw.caches.open("tcf-hub-old");
    await sw.caches.open("someone-else");
    await sw.lifecycle("install");
    await sw.lifecycle("activate");
    expect([...sw.caches.stores.keys()].sort()).toEqual(["someone-else", "tcf-hub-v1"]);
    expect(sw.scope.clients.claim).toHaveBeenCalled();
  });

  it("never answers or caches /api/* and the one-time /login link", async () => {
    await sw.lifecycle("install");
    expect(await sw.request("/api/v1/alerts")).toBeUndefined();
    expect(await sw.request("/api/v1/events")).toBeUndefined();
    expect(await sw.request("/login?token=abc", { mode: "navigate" })).toBeUndefined();
    expect(await sw.request("/api/v1/alerts/1/ack", { method: "POST" })).toBeUndefined();
    expect(sw.network).not.toHaveBeenCalled();
  });

  it("serves navigations from the network, and the cached shell when offline", async () => {
    await sw.lifecycle("install");
    const online = sw.network.getMockImplementation();
    sw.network.mockRejectedValue(new TypeError("offline"));
    expect(await (await sw.request("/", { mode: "navigate" }))?.text()).toBe("shell /");
    expect(await (await sw.request("/some/deep/link", { mode: "navigate" }))?.text()).toBe("shell /");

    sw.network.mockImplementation(online as NonNullable<typeof online>);
    expect(await (await sw.request("/", { mode: "navigate" }))?.text()).toBe("network /");
    // That fresh page replaced the cached shell for the next time the hub is unreachable.
    sw.network.mockRejectedValue(new TypeError("offline"));
    await vi.waitFor(async () => {
      expect(await (await sw.request("/", { mode: "navigate" }))?.text()).toBe("network /");
    });
  });

  it("serves hashed assets from the cache without the network", async () => {
    await sw.lifecycle("install");
    expect(await (await sw.request("/assets/index-abc.js"))?.text()).toBe("shell /assets/index-abc.js");
    expect(sw.network).not.toHaveBeenCalled();
    expect(await (await sw.request("/assets/later-chunk.js"))?.text()).toBe("network /assets/later-chunk.js");
  });
});
