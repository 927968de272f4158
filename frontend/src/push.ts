/**
 * TO BE REPLACED: a minimal shim so the dashboard builds before the push engineer's push.ts
 * (Web Push subscribe/unsubscribe, C9) lands on main. It reports push as unsupported, so the
 * Settings view hides its "Push devices" section. Delete this file when merging the real one.
 */

export async function pushState(): Promise<string> {
  return "unsupported";
}

export async function enablePush(name: string): Promise<void> {
  throw new Error(`push is not available in this build (device ${name})`);
}

export async function disablePush(): Promise<void> {
  throw new Error("push is not available in this build");
}
