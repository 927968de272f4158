/**
 * Web Push on this device (C9): subscribe with the hub's VAPID key and register the
 * subscription, or undo it. The push-devices view calls these; the service worker shows pushes.
 */

import { ApiError, request } from "./api";

/** `unsupported`: no service worker / Push API here (iOS needs the app installed first). */
export type PushState = "unsupported" | "denied" | "enabled" | "disabled";

/** A device as the hub lists it (no endpoint or keys). */
export interface PushDevice {
  id: number;
  name: string;
  push_service: string;
  created_at: string;
  last_success_at: string | null;
}

/** Where the id the hub gave this device's subscription is kept (for `disablePush`). */
export const DEVICE_KEY = "tcf-hub-push-device";
/** `PushManager.subscribe` can hang without a push service: give up after this long (ms). */
export const SUBSCRIBE_TIMEOUT = 15000;

/** A call to the hub's push API (below /api/v1/push). */
function call<T>(path: string, init: RequestInit = {}): Promise<T> {
  return request<T>(`/push${path}`, init);
}

function supported(): boolean {
  return (
    typeof navigator !== "undefined" &&
    "serviceWorker" in navigator &&
    typeof PushManager !== "undefined" &&
    typeof Notification !== "undefined"
  );
}

/** The applicationServerKey bytes of a base64url string. */
export function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
  const raw = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
  const bytes = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

function sameKey(subscription: PushSubscription, key: Uint8Array): boolean {
  const current = subscription.options?.applicationServerKey;
  if (!current) return true; // the browser does not tell: assume it is ours
  const bytes = new Uint8Array(current);
  return bytes.length === key.length && bytes.every((byte, i) => byte === key[i]);
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms / 1000} s`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/** Whether this device receives pushes now. */
export async function pushState(): Promise<PushState> {
  if (!supported()) return "unsupported";
  if (Notification.permission === "denied") return "denied";
  const registration = await navigator.serviceWorker.ready;
  const subscription = await registration.pushManager.getSubscription();
  return subscription && localStorage.getItem(DEVICE_KEY) ? "enabled" : "disabled";
}

/**
 * Ask for permission, subscribe with the hub's VAPID key and register this device as `name`.
 * Throws when push is unsupported, permission is refused, or the push service or hub fails.
 */
export async function enablePush(name: string): Promise<PushDevice> {
  if (!supported()) throw new Error("push notifications are not supported in this browser");
  const permission = await Notification.requestPermission();
  if (permission !== "granted") throw new Error("notifications are not allowed for this site");
  const registration = await navigator.serviceWorker.ready;
  const { public_key } = await call<{ public_key: string }>("/vapid-public-key");
  const key = keyBytes(public_key);
  let subscription = await registration.pushManager.getSubscription();
  if (subscription && !sameKey(subscription, key)) {
    await subscription.unsubscribe(); // made for another hub key: it would be refused
    subscription = null;
  }
  subscription ??= await withTimeout(
    registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key }),
    SUBSCRIBE_TIMEOUT,
    "the browser's push service",
  );
  const device = await call<PushDevice>("/subscriptions", {
    method: "POST",
    body: JSON.stringify({ ...subscription.toJSON(), name }),
  });
  localStorage.setItem(DEVICE_KEY, String(device.id));
  return device;
}

/** Stop pushes to this device: forget it on the hub and unsubscribe the browser. */
export async function disablePush(): Promise<void> {
  const id = localStorage.getItem(DEVICE_KEY);
  if (id) {
    try {
      await call<void>(`/subscriptions/${encodeURIComponent(id)}`, { method: "DELETE" });
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) throw error;
    }
    localStorage.removeItem(DEVICE_KEY);
  }
  if (!supported()) return;
  const registration = await navigator.serviceWorker.ready;
  const subscription = await registration.pushManager.getSubscription();
  await subscription?.unsubscribe();
}
