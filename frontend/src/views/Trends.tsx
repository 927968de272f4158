import { useEffect, useState } from "preact/hooks";
import { fetchChanges, fetchForecasts } from "../api";
import { formatChange, formatNumber, formatValue } from "../format";
import { CHANGE_METRICS, FORECAST_METRICS, byUrgency, forecastText, topGrowers } from "../trends";
import type { Change, Forecast, Labels } from "../types";
import type { HubState } from "../use-hub";

function labelText(labels: Labels): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
}

export function TrendsView({ hub }: { hub: HubState }) {
  const [forecasts, setForecasts] = useState<Forecast[] | null>(null);
  const [changes, setChanges] = useState<Change[] | null>(null);

  useEffect(() => {
    Promise.all(FORECAST_METRICS.map((m) => fetchForecasts(m, "7d")))
      .then((all) => setForecasts(byUrgency(all.flat())))
      .catch(hub.fail);
    Promise.all(CHANGE_METRICS.map((m) => fetchChanges(m, "1d")))
      .then((all) => setChanges(all.flat()))
      .catch(hub.fail);
  }, []);

  const growers = changes ? topGrowers(changes) : [];
  return (
    <>
      <section aria-labelledby="capacity-heading">
        <h3 id="capacity-heading">Capacity (7-day linear trend)</h3>
        {forecasts === null ? (
          <p class="empty">Loading…</p>
        ) : forecasts.length === 0 ? (
          <p class="empty">No data to forecast yet.</p>
        ) : (
          <div class="table-scroll" tabIndex={0} role="region" aria-label="Table, scrolls sideways on small screens">
            <table class="table" data-testid="forecasts">
              <thead>
                <tr>
                  <th scope="col">Series</th>
                  <th scope="col">Now</th>
                  <th scope="col">Slope / day</th>
                  <th scope="col">Forecast</th>
                </tr>
              </thead>
              <tbody>
                {forecasts.map((f) => (
                  <tr key={`${f.name}${labelText(f.labels)}`} class={f.crossing?.in_seconds != null ? "warn" : undefined}>
                    <th scope="row">
                      {f.name} <span class="muted">{labelText(f.labels)}</span>
                    </th>
                    <td>{formatValue(f.current, "%")}</td>
                    <td>
                      {f.slope_per_day >= 0 ? "+" : ""}
                      {formatNumber(f.slope_per_day)}
                    </td>
                    <td>{forecastText(f)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section aria-labelledby="growers-heading">
        <h3 id="growers-heading">Top growers (last day against the same day a week ago)</h3>
        {changes === null ? (
          <p class="empty">Loading…</p>
        ) : growers.length === 0 ? (
          <p class="empty">Nothing grew week over week (or there is no week-old data yet).</p>
        ) : (
          <div class="table-scroll" tabIndex={0} role="region" aria-label="Table, scrolls sideways on small screens">
            <table class="table" data-testid="growers">
              <thead>
                <tr>
                  <th scope="col">Series</th>
                  <th scope="col">A week ago</th>
                  <th scope="col">Now</th>
                  <th scope="col">Change</th>
                </tr>
              </thead>
              <tbody>
                {growers.map((c) => (
                  <tr key={`${c.name}${labelText(c.labels)}`}>
                    <th scope="row">
                      {c.name} <span class="muted">{labelText(c.labels)}</span>
                    </th>
                    <td>{formatNumber(c.comparison.previous_mean)}</td>
                    <td>{formatNumber(c.comparison.current_mean)}</td>
                    <td>{formatChange(c.comparison.change_percent)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
