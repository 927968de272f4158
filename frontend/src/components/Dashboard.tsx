import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { formatRelativeTime } from "../format";
import { onLinkClick, useRoute, type Route } from "../router";
import { useHub, type HubState } from "../use-hub";
import { AlertDetailView } from "../views/AlertDetail";
import { AlertsView } from "../views/Alerts";
import { DetailView } from "../views/Detail";
import { Overview } from "../views/Overview";
import { RulesView } from "../views/Rules";
import { SettingsView } from "../views/Settings";
import { SilencesView } from "../views/Silences";
import { TopologyView } from "../views/Topology";
import { TrendsView } from "../views/Trends";
import { LiveStatusBadge } from "./LiveStatusBadge";
import { UpdatePrompt } from "./UpdatePrompt";

const NAV: readonly { href: string; label: string; views: readonly Route["view"][] }[] = [
  { href: "/", label: "Overview", views: ["overview", "detail"] },
  { href: "/alerts", label: "Alerts", views: ["alerts", "alert"] },
  { href: "/topology", label: "Topology", views: ["topology"] },
  { href: "/trends", label: "Trends", views: ["trends"] },
  { href: "/silences", label: "Silences", views: ["silences"] },
  { href: "/rules", label: "Rules", views: ["rules"] },
  { href: "/settings", label: "Settings", views: ["settings"] },
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
  missing: "Not found",
};

function View({ route, hub }: { route: Route; hub: HubState }): ComponentChildren {
  switch (route.view) {
    case "overview":
      return <Overview hub={hub} />;
    case "alerts":
      return <AlertsView hub={hub} state={route.state} />;
    case "alert":
      return <AlertDetailView hub={hub} id={route.id} />;
    case "detail":
      return <DetailView hub={hub} kind={route.kind} name={route.name} />;
    case "topology":
      return <TopologyView hub={hub} />;
    case "trends":
      return <TrendsView hub={hub} />;
    case "silences":
      return <SilencesView hub={hub} />;
    case "rules":
      return <RulesView hub={hub} />;
    case "settings":
      return <SettingsView hub={hub} />;
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
          {NAV.map((item) => (
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
