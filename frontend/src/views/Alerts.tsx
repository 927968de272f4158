import { useMemo, useState } from "preact/hooks";
import { ackAlert } from "../api";
import { canAck } from "../alerts";
import { AlertList } from "../components/AlertList";
import { navigate } from "../router";
import type { AlertState } from "../types";
import type { HubState } from "../use-hub";

const FILTERS: readonly (AlertState | "all")[] = ["all", "firing", "pending", "acknowledged", "resolved"];

export function AlertsView({ hub, state }: { hub: HubState; state: string | null }) {
  const filter = FILTERS.find((f) => f === state) ?? "all";
  const [selected, setSelected] = useState<ReadonlySet<number>>(new Set());
  const [busy, setBusy] = useState(false);
  const shown = useMemo(
    () => (filter === "all" ? hub.alerts : hub.alerts.filter((a) => a.state === filter)),
    [hub.alerts, filter],
  );
  const ackable = shown.filter((a) => selected.has(a.id) && canAck(a));

  const select = (id: number, on: boolean) =>
    setSelected((current) => {
      const next = new Set(current);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  const bulkAck = async () => {
    setBusy(true);
    try {
      for (const alert of ackable) hub.updateAlert(await ackAlert(alert.id));
      setSelected(new Set());
    } catch (error) {
      hub.fail(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-label="Alerts">
      <div class="toolbar" role="group" aria-label="Filter by state">
        {FILTERS.map((f) => {
          const count = f === "all" ? hub.alerts.length : hub.alerts.filter((a) => a.state === f).length;
          return (
            <button
              key={f}
              type="button"
              class={f === filter ? "chip on" : "chip"}
              aria-pressed={f === filter}
              data-testid={`filter-${f}`}
              onClick={() => navigate(f === "all" ? "/alerts" : `/alerts?state=${f}`, true)}
            >
              {f} <span class="n">{count}</span>
            </button>
          );
        })}
      </div>
      <div class="toolbar">
        <button
          type="button"
          class="secondary"
          onClick={() => setSelected(new Set(shown.filter(canAck).map((a) => a.id)))}
          disabled={!shown.some(canAck)}
        >
          Select all ackable
        </button>
        <button type="button" data-testid="bulk-ack" disabled={busy || ackable.length === 0} onClick={() => void bulkAck()}>
          Ack {ackable.length} selected
        </button>
      </div>
      <AlertList
        alerts={shown}
        loaded={hub.alertsLoaded}
        onUpdate={hub.updateAlert}
        onError={hub.fail}
        selected={selected}
        onSelect={select}
      />
    </section>
  );
}
