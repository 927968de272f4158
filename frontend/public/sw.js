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
