import { useEffect, useState } from "preact/hooks";
import { fetchMaintenance } from "../api";
import { matchersText, sortWindows, windowStatus } from "../maintenance";
import type { MaintenanceWindow } from "../types";
import type { HubState } from "../use-hub";

function when(ms: number): string {
  return new Date(ms).toLocaleString();
}

function StatusText({ window }: { window: MaintenanceWindow }) {
  const status = windowStatus(window);
  if (status.state === "active") {
    return (
      <>
        <span class="state active">active</span>
        <span class="muted"> {status.until === null ? "with no end within a year" : `until ${when(status.until)}`}</span>
      </>
    );
  }
  if (status.state === "upcoming") {
    return (
      <>
        <span class="state">next</span>
        <span class="muted"> {when(status.at)}</span>
      </>
    );
  }
  return <span class="muted">no occurrence within a year</span>;
}

/** alerts.yml's maintenance windows: what they mute, why, and whether they hold now or when next. */
export function MaintenanceView({ hub }: { hub: HubState }) {
  const [windows, setWindows] = useState<MaintenanceWindow[] | null>(null);
  useEffect(() => void fetchMaintenance().then((all) => setWindows(sortWindows(all))).catch(hub.fail), []);
  if (windows === null) return <p class="empty">Loading…</p>;
  if (windows.length === 0) return <p class="empty">No maintenance windows (add them under maintenance: in alerts.yml).</p>;
  return (
    <>
      <p class="muted">Windows mute the notifications of matching alerts; alerts still change state. Defined in alerts.yml.</p>
      <ul class="silences maintenance" data-testid="maintenance">
        {windows.map((w) => (
          <li key={w.name} class={`silence ${w.active ? "active" : "pending"}`} data-testid="maintenance-window">
            <strong>{w.name}</strong> <span class="muted">({w.kind})</span> <StatusText window={w} />
            <br />
            <code>{matchersText(w.matchers)}</code>
            {w.comment && <span class="comment"> “{w.comment}”</span>}
          </li>
        ))}
      </ul>
    </>
  );
}
