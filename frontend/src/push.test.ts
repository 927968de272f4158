import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError, UnauthorizedError } from "./api";
import { DEVICE_KEY, SUBSCRIBE_TIMEOUT, disablePush, enablePush, keyBytes, pushState } from "./push";

// 65 bytes: 0x04 then 1..64, as base64url without padding.
const KEY_BYTES = Uint8Array.from([4, ...Array.from({ length: 64 }, (_, i) => i + 1)]);
const KEY = btoa(String.fromCharCode(...KEY_BYTES)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const SUB_JSON = {
  endpoint: "https://push.example/abc",
  expirationTime: null,
  keys: { p256dh: "p", auth: "a" },
};

class FakeSubscription {
  unsubscribe = vi.fn(async () => true);
  constructor(readonly options: { applicationServerKey: ArrayBuffer | null }) {}
  toJSON() {
    return SUB_JSON;
  }
}

function install({
  permission = "default" as NotificationPermission,
  answer = "granted" as NotificationPermission,
  existing = null as FakeSubscription | null,
  subscribe = undefined as undefined | (() => Promise<FakeSubscription>),
  hub = undefined as undefined | ((url: string, init: RequestInit) => Response),
} = {}) {
  let current = existing;
  const pushManager = {
    getSubscription: vi.fn(async () => current),
    subscribe: vi.fn(
      subscribe ??
        (async (options: { applicationServerKey: Uint8Array }) => {
          current = new FakeSubscription({ applicationServerKey: options.applicationServerKey.buffer as ArrayBuffer });
          return current;
        }),
    ),
  };
  vi.stubGlobal("PushManager", class {});
  vi.stubGlobal(
    "Notification",
    Object.assign(class {}, { permission, requestPermission: vi.fn(async () => answer) }),
  );
  Object.defineProperty(navigator, "serviceWorker", {
    configurable: true,
    value: { ready: Promise.resolve({ pushManager }) },
  });
  const calls: { url: string; init: RequestInit }[] = [];
  const fetch = vi.fn(async (url: string, init: RequestInit = {}) => {
    calls.push({ url, init });
    if (hub) return hub(url, init);
    if (url.endsWith("/vapid-public-key")) return Response.json({ public_key: KEY });
    if (init.method === "POST") return Response.json({ id: 12, name: "phone" }, { status: 201 });
    return new Response(null, { status: 204 });
  });
  vi.stubGlobal("fetch", fetch);
  return { pushManager, calls };
}

beforeEach(() => localStorage.clear());
afterEach(() => {
  delete (navigator as { serviceWorker?: unknown }).serviceWorker;
  vi.useRealTimers();
});

describe("keyBytes", () => {
  it("decodes base64url without padding", () => {
    expect([...keyBytes(KEY)]).toEqual([...KEY_BYTES]);
    expect([...keyBytes("_-8")]).toEqual([255, 239]);
  });
});

describe("enablePush", () => {
  it("subscribes with the hub's VAPID key and registers the subscription with a name", async () => {
    const { pushManager, calls } = install();
    const device = await enablePush("Anna's phone");
    expect(device.id).toBe(12);
    const options = pushManager.subscribe.mock.calls[0]?.[0] as unknown as { userVisibleOnly: boolean; applicationServerKey: Uint8Array };
    expect(options.userVisibleOnly).toBe(true);
    expect([...options.applicationServerKey]).toEqual([...KEY_BYTES]);
    const post = calls.find((c) => c.init.method === "POST");
    expect(post?.url).toBe("/api/v1/push/subscriptions");
    expect(JSON.parse(String(post?.init.body))).toEqual({ ...SUB_JSON, name: "Anna's phone" });
    expect(localStorage.getItem(DEVICE_KEY)).toBe("12");
    expect(await pushState()).toBe("enabled");
  });

  it("reuses a subscription made with the same key", async () => {
    const existing = new FakeSubscription({ applicationServerKey: KEY_BYTES.buffer as ArrayBuffer });
    const { pushManager } = install({ existing });
    await enablePush("phone");
    expect(pushManager.subscribe).not.toHaveBeenCalled();
    expect(existing.unsubscribe).not.toHaveBeenCalled();
  });

  it("replaces a subscription made for another hub's key", async () => {
    const existing = new FakeSubscription({ applicationServerKey: new Uint8Array([4, 9, 9]).buffer });
    const { pushManager } = install({ existing });
    await enablePush("phone");
    expect(existing.unsubscribe).toHaveBeenCalled();
    expect(pushManager.subscribe).toHaveBeenCalledTimes(1);
  });

  it("stops when notifications are refused", async () => {
    const { pushManager } = install({ answer: "denied" });
    await expect(enablePush("phone")).rejects.toThrow("not allowed");
    expect(pushManager.subscribe).not.toHaveBeenCalled();
  });

  it("gives up on a push service that never answers", async () => {
    vi.useFakeTimers();
    install({ subscribe: () => new Promise(() => {}) });
    const enabling = enablePush("phone");
    const failed = expect(enabling).rejects.toThrow("did not answer within 15 s");
    await vi.advanceTimersByTimeAsync(SUBSCRIBE_TIMEOUT);
    await failed;
    expect(localStorage.getItem(DEVICE_KEY)).toBeNull();
  });

  it("reports the hub's reason when it refuses the subscription", async () => {
    install({
      hub: (url) =>
        url.endsWith("/vapid-public-key")
          ? Response.json({ public_key: KEY })
          : Response.json({ detail: "keys.auth must be 16 bytes" }, { status: 400 }),
    });
    await expect(enablePush("phone")).rejects.toThrow("keys.auth must be 16 bytes");
  });

  it("asks for sign-in when the session is gone", async () => {
    install({ hub: () => new Response(null, { status: 401 }) });
    await expect(enablePush("phone")).rejects.toBeInstanceOf(UnauthorizedError);
  });
});

describe("disablePush and pushState", () => {
  it("forgets the device on the hub and unsubscribes the browser", async () => {
    const existing = new FakeSubscription({ applicationServerKey: KEY_BYTES.buffer as ArrayBuffer });
    const { calls } = install({ existing });
    localStorage.setItem(DEVICE_KEY, "12");
    await disablePush();
    expect(calls.map((c) => [c.init.method, c.url])).toEqual([["DELETE", "/api/v1/push/subscriptions/12"]]);
    expect(existing.unsubscribe).toHaveBeenCalled();
    expect(localStorage.getItem(DEVICE_KEY)).toBeNull();
  });

  it("still unsubscribes when the hub had already forgotten the device", async () => {
    const existing = new FakeSubscription({ applicationServerKey: null });
    install({ existing, hub: () => Response.json({ detail: "no push subscription 12" }, { status: 404 }) });
    localStorage.setItem(DEVICE_KEY, "12");
    await disablePush();
    expect(existing.unsubscribe).toHaveBeenCalled();
  });

  it("keeps the device when the hub fails otherwise", async () => {
    install({ hub: () => new Response("oops", { status: 500 }) });
    localStorage.setItem(DEVICE_KEY, "12");
    await expect(disablePush()).rejects.toBeInstanceOf(ApiError);
    expect(localStorage.getItem(DEVICE_KEY)).toBe("12");
  });

  it("tells unsupported, denied and disabled apart", async () => {
    expect(await pushState()).toBe("unsupported");
    install({ permission: "denied" });
    expect(await pushState()).toBe("denied");
    install();
    expect(await pushState()).toBe("disabled");
  });
});
