/** Client-side routing on the history API: one path per view, deep links load directly. */

import { useEffect, useState } from "preact/hooks";

export type EntityKind = "host" | "service" | "container";

export type Route =
  | { view: "overview" }
  | { view: "alerts"; state: string | null }
  | { view: "alert"; id: number }
  | { view: "detail"; kind: EntityKind; name: string }
  | { view: "topology" }
  | { view: "trends" }
  | { view: "silences" }
  | { view: "rules" }
  | { view: "settings" }
  | { view: "users" }
  | { view: "account" }
  | { view: "maintenance" }
  | { view: "missing"; path: string };

const PLURAL: Record<string, EntityKind> = { hosts: "host", services: "service", containers: "container" };
const SIMPLE = ["topology", "trends", "silences", "rules", "settings", "users", "account", "maintenance"] as const;

/** The view a location shows (pure). */
export function parseRoute(pathname: string, search = ""): Route {
  const parts = pathname.split("/").filter(Boolean).map(decodeURIComponent);
  const [head, ...rest] = parts;
  if (head === undefined) return { view: "overview" };
  if (head === "alerts" && rest.length === 0) {
    return { view: "alerts", state: new URLSearchParams(search).get("state") };
  }
  if (head === "alerts" && rest.length === 1 && /^\d+$/.test(rest[0] ?? "")) {
    return { view: "alert", id: Number(rest[0]) };
  }
  const kind = PLURAL[head];
  if (kind && rest.length > 0) return { view: "detail", kind, name: rest.join("/") };
  const simple = SIMPLE.find((view) => view === head);
  if (simple && rest.length === 0) return { view: simple };
  return { view: "missing", path: pathname };
}

/** The path of an entity's detail view: `/hosts/box`, `/services/api`, `/containers/db`. */
export function entityPath(kind: EntityKind, name: string): string {
  return `/${kind}s/${encodeURIComponent(name)}`;
}

const LISTENERS = new Set<() => void>();

/** Go to `path` without a reload (pushState) and tell the app. */
export function navigate(path: string, replace = false): void {
  if (replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  for (const listener of LISTENERS) listener();
  window.scrollTo?.(0, 0);
}

/** The current route, following pushState navigations and the back/forward buttons. */
export function useRoute(): Route {
  const read = () => parseRoute(location.pathname, location.search);
  const [route, setRoute] = useState<Route>(read);
  useEffect(() => {
    const update = () => setRoute(read());
    LISTENERS.add(update);
    window.addEventListener("popstate", update);
    return () => {
      LISTENERS.delete(update);
      window.removeEventListener("popstate", update);
    };
  }, []);
  return route;
}

/**
 * A click on an in-app link navigates without a reload; modified clicks (new tab, …) and other
 * origins are left to the browser.
 */
export function onLinkClick(event: MouseEvent): void {
  if (event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const anchor = (event.target as Element | null)?.closest?.("a");
  // SVG links (the topology graph) are anchors too, with the href only as an attribute.
  const href = anchor?.getAttribute("href");
  if (!anchor || !href || anchor.getAttribute("target") || anchor.hasAttribute("download")) return;
  const url = new URL(href, location.href);
  if (url.origin !== location.origin || url.pathname.startsWith("/api/") || url.pathname === "/login") return;
  event.preventDefault();
  navigate(url.pathname + url.search);
}
