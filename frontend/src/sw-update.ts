/** Service worker registration and the "new version" handshake with a waiting worker. */

type Listener = (waiting: ServiceWorker | null) => void;
const listeners = new Set<Listener>();
let waiting: ServiceWorker | null = null;

function announce(worker: ServiceWorker | null): void {
  waiting = worker;
  for (const listener of listeners) listener(worker);
}

/** Called with the waiting worker when a new version is installed (and now, if one is). */
export function onUpdateWaiting(listener: Listener): () => void {
  listeners.add(listener);
  listener(waiting);
  return () => listeners.delete(listener);
}

/**
 * Watch a registration: a worker that finishes installing while another controls the page
 * is a new version waiting for this page to let it take over.
 */
export function watchRegistration(registration: ServiceWorkerRegistration, container: ServiceWorkerContainer): void {
  if (registration.waiting && container.controller) announce(registration.waiting);
  registration.addEventListener("updatefound", () => {
    const installing = registration.installing;
    installing?.addEventListener("statechange", () => {
      if (installing.state === "installed" && container.controller) announce(installing);
    });
  });
}

/** Let the waiting worker take over; the page reloads once it controls it. */
export function applyUpdate(container: ServiceWorkerContainer, reload: () => void): void {
  if (!waiting) return;
  let reloaded = false;
  container.addEventListener("controllerchange", () => {
    if (reloaded) return;
    reloaded = true;
    reload();
  });
  waiting.postMessage({ type: "SKIP_WAITING" });
}

/** Register /sw.js (built app only) and check for a new version every `checkMs`. */
export function registerServiceWorker(checkMs = 30 * 60_000): void {
  if (!("serviceWorker" in navigator)) return;
  const container = navigator.serviceWorker;
  container
    .register("/sw.js", { scope: "/" })
    .then((registration) => {
      watchRegistration(registration, container);
      setInterval(() => void registration.update().catch(() => undefined), checkMs);
    })
    .catch((error: unknown) => {
      console.warn("service worker registration failed", error);
    });
}
