import { useMemo } from "preact/hooks";
import { hostSnapshot } from "../metrics";
import { useHub } from "../use-hub";
import { AlertList } from "./AlertList";
import { LiveChart } from "./LiveChart";
import { LiveStatusBadge } from "./LiveStatusBadge";
import { MetricTiles } from "./MetricTiles";

export function Dashboard({ onUnauthorized }: { onUnauthorized(): void }) {
  const hub = useHub(onUnauthorized);
  const snapshot = useMemo(() => hostSnapshot(hub.latest, hub.host), [hub.latest, hub.host]);
  const firing = hub.alerts.filter((a) => a.state === "firing").length;

  return (
    <>
      <header class="top">
        <h1>tcf-hub</h1>
        {hub.host && <span class="host">{hub.host}</span>}
        <LiveStatusBadge status={hub.status} />
      </header>
      <main class="dashboard">
        {hub.error && (
          <p class="banner" role="alert">
            {hub.error}
          </p>
        )}
        <section aria-labelledby="host-heading">
          <h2 id="host-heading">Host</h2>
          <MetricTiles snapshot={snapshot} />
        </section>
        <section aria-labelledby="chart-heading">
          <h2 id="chart-heading">Last hour</h2>
          <LiveChart data={hub.chart} />
        </section>
        <section aria-labelledby="alerts-heading">
          <h2 id="alerts-heading">
            Alerts{firing > 0 && <span class="count"> {firing} firing</span>}
          </h2>
          <AlertList alerts={hub.alerts} loaded={hub.alertsLoaded} onUpdate={hub.updateAlert} onError={hub.fail} />
        </section>
      </main>
    </>
  );
}
