import { useEffect, useState } from "preact/hooks";
import { fetchDeliveries } from "../api";
import type { Delivery } from "../types";
import type { HubState } from "../use-hub";

export const DELIVERY_PAGE = 20;

/**
 * The delivery log, newest first, a page at a time: "Older" asks for attempts before the
 * page's last id, "Newer" goes back to the page shown before.
 */
export function DeliveryLog({ hub, channels, refresh = 0 }: { hub: HubState; channels: readonly string[]; refresh?: number }) {
  const [channel, setChannel] = useState("");
  // The `before` of every page shown so far; the last one is the current page's.
  const [pages, setPages] = useState<(number | undefined)[]>([undefined]);
  const [rows, setRows] = useState<Delivery[] | null>(null);
  const before = pages[pages.length - 1];

  useEffect(() => {
    let live = true;
    setRows(null);
    // One more than a page tells whether there are older attempts.
    fetchDeliveries(DELIVERY_PAGE + 1, channel || undefined, before)
      .then((page) => live && setRows(page))
      .catch(hub.fail);
    return () => {
      live = false;
    };
  }, [channel, before, refresh]);

  const shown = rows?.slice(0, DELIVERY_PAGE) ?? [];
  const oldest = shown[shown.length - 1]?.id;
  const more = rows !== null && rows.length > DELIVERY_PAGE && oldest !== null && oldest !== undefined;

  return (
    <section aria-labelledby="deliveries-heading" class="card" data-testid="delivery-log">
      <h3 id="deliveries-heading">Delivery log</h3>
      <div class="toolbar">
        <label for="delivery-channel">Channel</label>
        <select
          id="delivery-channel"
          value={channel}
          onChange={(e) => {
            setChannel(e.currentTarget.value);
            setPages([undefined]);
          }}
        >
          <option value="">all</option>
          {channels.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
        <button type="button" class="secondary" disabled={pages.length < 2} onClick={() => setPages((p) => p.slice(0, -1))}>
          Newer
        </button>
        <button type="button" class="secondary" data-testid="deliveries-older" disabled={!more} onClick={() => setPages((p) => [...p, oldest ?? undefined])}>
          Older
        </button>
      </div>
      {rows === null ? (
        <p class="empty">Loading…</p>
      ) : shown.length === 0 ? (
        <p class="empty" data-testid="deliveries-empty">
          No delivery attempts{channel ? ` for ${channel}` : ""} yet.
        </p>
      ) : (
        <div class="table-scroll" tabIndex={0} role="region" aria-label="Delivery log, scrolls sideways on small screens">
          <table class="table deliveries" data-testid="deliveries">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Channel</th>
                <th scope="col">Outcome</th>
                <th scope="col">Status</th>
                <th scope="col">Took</th>
                <th scope="col">Error</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((d) => (
                <tr key={d.id ?? `${d.notification_id}-${d.at}`} data-testid="delivery-row" data-id={d.id ?? ""}>
                  <td>{new Date(d.at).toLocaleString()}</td>
                  <td>{d.channel}</td>
                  <td class={d.ok ? undefined : "bad"}>{d.outcome ?? (d.ok ? "sent" : "failed")}</td>
                  <td>{d.status_code ?? "–"}</td>
                  <td>{Math.round(d.duration_ms)} ms</td>
                  <td>{d.error ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
