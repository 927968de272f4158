// @ts-check
/* tcf-hub service worker (hand-written, no dependencies).
 *
 * - install: precache the app shell (index.html as "/", the hashed /assets/*, the manifest
 *   and icons); the build replaces BUILD below with the real list and a content hash, so every
 *   new build is a new worker and a new cache. The first worker activates at once; a new
 *   version waits until the page asks it to take over (the dashboard's "Reload" prompt sends
 *   {type: "SKIP_WAITING"}), so an open page never runs against a half-swapped cache.
 * - navigations: network first (a fresh index.html after every deploy), the cached shell when
 *   offline.
 * - /assets/* and /icons/*: cache first (file names carry content hashes / never change).
 * - /api/*, /login, /healthz, /metrics, /schema: never touched — always the network, never cached.
 */

const BUILD = { version: "dev", shell: ["/"] };

const sw = /** @type {ServiceWorkerGlobalScope} */ (/** @type {unknown} */ (self));
const CACHE_PREFIX = "tcf-hub-";
const CACHE = CACHE_PREFIX + BUILD.version;

/** Paths the worker must leave alone (dynamic, authenticated or one-time). */
const BYPASS = [/^\/api\//, /^\/login(\/|$)/, /^\/healthz$/, /^\/metrics$/, /^\/schema(\/|$)/];
const IMMUTABLE = [/^\/assets\//, /^\/icons\//];

sw.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(BUILD.shell)),
  );
});

sw.addEventListener("message", (event) => {
  if (event.data && event.data.type === "SKIP_WAITING") void sw.skipWaiting();
});

sw.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names
            .filter((name) => name.startsWith(CACHE_PREFIX) && name !== CACHE)
            .map((name) => caches.delete(name)),
        ),
      )
      .then(() => sw.clients.claim()),
  );
});

/**
 * Network first; a good answer to "/" refreshes the cached shell. Offline, any navigation
 * gets the shell (the app has one page).
 * @param {Request} request
 */
async function navigate(request) {
  try {
    const response = await fetch(request);
    const url = new URL(request.url);
    if (response.ok && !response.redirected && url.pathname === "/" && url.search === "") {
      const copy = response.clone();
      void caches.open(CACHE).then((cache) => cache.put("/", copy));
    }
    return response;
  } catch (error) {
    const shell = await caches.match("/", { cacheName: CACHE });
    if (shell) return shell;
    throw error;
  }
}

/**
 * Cache first, filling the cache from the network on a miss.
 * @param {Request} request
 */
async function cacheFirst(request) {
  const cached = await caches.match(request, { cacheName: CACHE });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) {
    const copy = response.clone();
    void caches.open(CACHE).then((cache) => cache.put(request, copy));
  }
  return response;
}

/**
 * Network first for the rest of the shell (manifest), so it follows deploys.
 * @param {Request} request
 */
async function networkFirst(request) {
  try {
    return await fetch(request);
  } catch (error) {
    const cached = await caches.match(request, { cacheName: CACHE });
    if (cached) return cached;
    throw error;
  }
}

sw.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== sw.location.origin) return;
  if (BYPASS.some((pattern) => pattern.test(url.pathname))) return;
  if (request.mode === "navigate") {
    event.respondWith(navigate(request));
  } else if (IMMUTABLE.some((pattern) => pattern.test(url.pathname))) {
    event.respondWith(cacheFirst(request));
  } else {
    event.respondWith(networkFirst(request));
  }
});

/* ---- Web Push (C9) -------------------------------------------------------------------------
 * push: show the alert as a notification with Acknowledge and Open actions; its tag is the
 *   push's Topic, so a resolution (or a repeat) replaces the firing notification.
 * notificationclick: Acknowledge POSTs the push's single-use ack token (no session needed, so it
 *   works from the lock screen); Open, or a click where actions are not supported (Safari),
 *   focuses a window already showing the alert or opens the alert page, which has an Ack button.
 */

/**
 * @typedef {object} PushPayload
 * @property {number} id
 * @property {string} title
 * @property {string} body
 * @property {string} severity
 * @property {string} url
 * @property {string | null} ack_token
 * @property {string} [status]
 * @property {string} [topic]
 */

/**
 * Options with the fields TypeScript's lib leaves out (not every browser has them).
 * @typedef {NotificationOptions & {
 *   actions?: { action: string, title: string }[],
 *   renotify?: boolean,
 *   timestamp?: number,
 * }} AlertNotificationOptions
 */

/**
 * @param {PushMessageData | null} data
 * @returns {PushPayload | null}
 */
function readPush(data) {
  if (!data) return null;
  try {
    const payload = data.json();
    return payload && typeof payload.id === "number" ? payload : null;
  } catch {
    return null;
  }
}

/** @param {PushPayload | null} payload */
function showAlert(payload) {
  if (!payload) {
    // A push must always show something (userVisibleOnly); say so plainly.
    return sw.registration.showNotification("tcf-hub", { body: "Something changed: open the dashboard." });
  }
  const firing = payload.status !== "resolved";
  /** @type {AlertNotificationOptions} */
  const options = {
    body: payload.body,
    tag: payload.topic || `alert-${payload.id}`,
    renotify: true,
    requireInteraction: firing && payload.severity === "critical",
    icon: "/icons/icon-192.png",
    badge: "/icons/icon-192.png",
    data: payload,
    actions: [
      ...(firing && payload.ack_token ? [{ action: "ack", title: "Acknowledge" }] : []),
      { action: "open", title: "Open" },
    ],
  };
  return sw.registration.showNotification(payload.title, options);
}

/**
 * The alert page on this worker's origin (the hub's external URL may name another host).
 * @param {PushPayload | null} payload
 */
function alertPage(payload) {
  if (!payload) return new URL("/", sw.location.origin).href;
  const path = payload.url ? new URL(payload.url, sw.location.origin).pathname : `/alerts/${payload.id}`;
  return new URL(path, sw.location.origin).href;
}

/** @param {PushPayload | null} payload */
async function openAlert(payload) {
  const target = alertPage(payload);
  const windows = await sw.clients.matchAll({ type: "window", includeUncontrolled: true });
  const showing = windows.find((client) => client.url === target);
  if (showing) return showing.focus();
  const ours = windows.find((client) => new URL(client.url).origin === sw.location.origin);
  if (ours) {
    try {
      const moved = await ours.navigate(target);
      if (moved) return moved.focus();
    } catch {
      // not controlled by this worker: just bring it forward
    }
    return ours.focus();
  }
  return sw.clients.openWindow(target);
}

/** @param {PushPayload} payload */
async function acknowledge(payload) {
  let response;
  try {
    response = await fetch(`/api/v1/alerts/${payload.id}/ack`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ ack_token: payload.ack_token }),
      // The ack token is the credential: with the session cookie a CSRF header would be needed.
      credentials: "omit",
    });
  } catch {
    response = null;
  }
  if (response && (response.ok || response.status === 409)) {
    /** @type {AlertNotificationOptions} */
    const done = {
      body: response.ok ? `Acknowledged: ${payload.title}` : `Already resolved: ${payload.title}`,
      tag: payload.topic || `alert-${payload.id}`,
      silent: true,
      icon: "/icons/icon-192.png",
      data: { ...payload, ack_token: null },
    };
    return sw.registration.showNotification("tcf-hub", done);
  }
  // Offline, or the token was refused (used, expired): the alert page has an Ack button.
  return openAlert(payload);
}

sw.addEventListener("push", (event) => {
  event.waitUntil(showAlert(readPush(event.data)));
});

sw.addEventListener("notificationclick", (event) => {
  const notification = event.notification;
  /** @type {PushPayload | null} */
  const payload = notification.data && typeof notification.data.id === "number" ? notification.data : null;
  notification.close();
  if (event.action === "ack" && payload?.ack_token) {
    event.waitUntil(acknowledge(payload));
  } else {
    event.waitUntil(openAlert(payload));
  }
});
