import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { fetchMe } from "../api";
import { formatRelativeTime } from "../format";
import { onLinkClick, useRoute, type Route } from "../router";
import { useHub, type HubState } from "../use-hub";
import type { EntityKind } from "../router";
import { AlertsView } from "../views/Alerts";
import { Overview } from "../views/Overview";
import { Lazy } from "./Lazy";
import { LiveStatusBadge } from "./LiveStatusBadge";
import { UpdatePrompt } from "./UpdatePrompt";

const NAV: readonly { href: string; label: string; views: readonly Route["view"][] }[] = [
  { href: "/", label: "Overview", views: ["overview", "detail"] },
  { href: "/alerts", label: "Alerts", views: ["alerts", "alert"] },
  { href: "/topology", label: "Topology", views: ["topology"] },
  { href: "/trends", label: "Trends", views: ["trends"] },
  { href: "/silences", label: "Silences", views: ["silences"] },
  { href: "/maintenance", label: "Maintenance", views: ["maintenance"] },
  { href: "/rules", label: "Rules", views: ["rules"] },
  { href: "/settings", label: "Settings", views: ["settings"] },
  { href: "/users", label: "Users", views: ["users"] },
  { href: "/account", label: "Account", views: ["account"] },
];

const TITLES: Record<Route["view"], string> = {
  overview: "Overview",
  alerts: "Alerts",
  alert: "Alert",
  detail: "Detail",
  topology: "Topology",
  trends: "Trends & capacity",
  silences: "Silences",
  rules: "Rules",
  settings: "Settings",
  users: "Users & sessions",
  account: "My account",
  maintenance: "Maintenance windows",
  missing: "Not found",
};

// Views other than the overview and alerts are their own chunks, fetched when first opened
// (the service worker precaches them all, so they open offline too).
type HubProps = { hub: HubState };
const alertDetail = () => import("../views/AlertDetail").then((m) => m.AlertDetailView);
const detail = () => import("../views/Detail").then((m) => m.DetailView);
const topology = () => import("../views/Topology").then((m) => m.TopologyView);
const trends = () => import("../views/Trends").then((m) => m.TrendsView);
const silences = () => import("../views/Silences").then((m) => m.SilencesView);
const rules = () => import("../views/Rules").then((m) => m.RulesView);
const settings = () => import("../views/Settings").then((m) => m.SettingsView);
const users = () => import("../views/Users").then((m) => m.UsersView);
const account = () => import("../views/Account").then((m) => m.AccountView);
const maintenance = () => import("../views/Maintenance").then((m) => m.MaintenanceView);

function View({ route, hub }: { route: Route; hub: HubState }): ComponentChildren {
  switch (route.view) {
    case "overview":
      return <Overview hub={hub} />;
    case "alerts":
      return <AlertsView hub={hub} state={route.state} />;
    case "alert":
      return <Lazy<HubProps & { id: number }> load={alertDetail} props={{ hub, id: route.id }} />;
    case "detail":
      return <Lazy<HubProps & { kind: EntityKind; name: string }> load={detail} props={{ hub, kind: route.kind, name: route.name }} />;
    case "topology":
      return <Lazy<HubProps> load={topology} props={{ hub }} />;
    case "trends":
      return <Lazy<HubProps> load={trends} props={{ hub }} />;
    case "silences":
      return <Lazy<HubProps> load={silences} props={{ hub }} />;
    case "rules":
      return <Lazy<HubProps> load={rules} props={{ hub }} />;
    case "settings":
      return <Lazy<HubProps> load={settings} props={{ hub }} />;
    case "users":
      return <Lazy<HubProps> load={users} props={{ hub }} />;
    case "account":
      return <Lazy<HubProps> load={account} props={{ hub }} />;
    case "maintenance":
      return <Lazy<HubProps> load={maintenance} props={{ hub }} />;
    case "missing":
      return (
        <p class="empty">
          Nothing at {route.path}. <a href="/">Back to the overview</a>
        </p>
      );
  }
}

export function Dashboard({ onUnauthorized }: { onUnauthorized(): void }) {
  const hub = useHub(onUnauthorized);
  const route = useRoute();
  const main = useRef<HTMLElement>(null);
  // Only admins see the users screen (the API refuses it to viewers anyway).
  const [admin, setAdmin] = useState(false);
  useEffect(() => {
    fetchMe()
      .then((me) => setAdmin(me.role === "admin"))
      .catch(() => setAdmin(false)); // the view fetches report failures themselves
  }, []);
  const nav = NAV.filter((item) => admin || item.href !== "/users");
  const firing = hub.alerts.filter((a) => a.state === "firing").length;
  const title = route.view === "detail" ? `${route.kind} ${route.name}` : route.view === "alert" ? `Alert #${route.id}` : TITLES[route.view];

  useEffect(() => {
    document.title = `${firing > 0 ? `(${firing}) ` : ""}${title} · tcf-hub`;
  }, [title, firing]);

  // On a phone the navigation scrolls sideways: keep the current view's tab in sight.
  useEffect(() => {
    document.querySelector(".nav [aria-current=page]")?.scrollIntoView?.({ block: "nearest", inline: "nearest" });
  }, [route.view]);

  return (
    <div class="shell" onClick={onLinkClick}>
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); main.current?.focus(); }}>
        Skip to content
      </a>
      <header class="top">
        <h1>
          <a href="/">tcf-hub</a>
        </h1>
        {hub.host && <span class="host">{hub.host}</span>}
        <LiveStatusBadge status={hub.status} />
      </header>
      <nav class="nav" aria-label="Views">
        <ul>
          {nav.map((item) => (
            <li key={item.href}>
              <a href={item.href} aria-current={item.views.includes(route.view) ? "page" : undefined}>
                {item.label}
                {item.href === "/alerts" && firing > 0 && <span class="badge">{firing}</span>}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <UpdatePrompt />
      <main class="dashboard" id="main" tabIndex={-1} ref={main} data-view={route.view}>
        {hub.staleSince !== null && (
          <p class="banner offline" role="status" data-testid="offline-banner">
            Offline: showing the last known data from {formatRelativeTime(hub.staleSince, Date.now())}.
          </p>
        )}
        {hub.error && hub.staleSince === null && (
          <p class="banner" role="alert">
            {hub.error}
          </p>
        )}
        <h2 class="view-title">{title}</h2>
        <View route={route} hub={hub} />
      </main>
    </div>
  );
}
