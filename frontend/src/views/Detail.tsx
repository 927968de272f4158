import { useEffect, useMemo, useState } from "preact/hooks";
import { fetchBuckets, fetchChanges, fetchMaintenance } from "../api";
import { BandChart } from "../components/BandChart";
import { belongsTo, entitySelector, seriesLabel, seriesOf } from "../entities";
import { seriesKey } from "../metrics";
import { formatChange, formatValue } from "../format";
import { shadesFor } from "../maintenance";
import type { EntityKind } from "../router";
import {
  RANGES,
  WEEK,
  annotationsFor,
  bandData,
  panRange,
  pointsFor,
  summary,
  zoomRange,
  type BandData,
} from "../series-data";
import type { BucketSeries, Change, MaintenanceWindow, Sample } from "../types";
import type { HubState } from "../use-hub";

interface Loaded {
  key: string;
  sample: Sample;
  data: BandData | null;
}

/** `yyyy-mm-ddThh:mm` in local time, for datetime-local inputs. */
function localInput(seconds: number): string {
  const d = new Date(seconds * 1000);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function DetailView({ hub, kind, name }: { hub: HubState; kind: EntityKind; name: string }) {
  const [range, setRange] = useState<{ label: string; from: number; to: number }>(() => {
    const now = Date.now() / 1000;
    return { label: "1h", from: now - 3600, to: now };
  });
  const [charts, setCharts] = useState<Loaded[]>([]);
  const [loading, setLoading] = useState(true);
  const series = useMemo(() => seriesOf(hub.latest.values(), kind, name), [hub.latest, kind, name]);
  const seriesKeys = series.map((s) => `${s.name} ${seriesLabel(s.labels)}`).join("|");
  const alerts = useMemo(() => hub.alerts.filter((a) => belongsTo(a.labels, kind, name)), [hub.alerts, kind, name]);

  // Week-over-week changes depend on the series, not on the range: fetched once per series.
  const [changes, setChanges] = useState<ReadonlyMap<string, Change>>(new Map());
  useEffect(() => {
    let live = true;
    const metrics = [...new Set(series.map((s) => s.name))];
    Promise.all(metrics.map((metric) => fetchChanges(entitySelector(metric, kind, name), "1d").catch(() => [] as Change[])))
      .then((all) => live && setChanges(new Map(all.flat().map((c) => [seriesKey(c.name, c.labels), c]))))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [seriesKeys, kind, name]);

  // Maintenance occurrences in the range, shaded on the charts (none if the hub cannot say).
  const [windows, setWindows] = useState<MaintenanceWindow[]>([]);
  useEffect(() => {
    let live = true;
    fetchMaintenance(range.from, range.to)
      .then((all) => live && setWindows(all))
      .catch(() => live && setWindows([]));
    return () => {
      live = false;
    };
  }, [range.from, range.to]);

  useEffect(() => {
    if (series.length === 0) return;
    let live = true;
    setLoading(true);
    const points = pointsFor(Math.min(window.innerWidth, 1000));
    const width = range.to - range.from;
    // One request per metric (all of the entity's series of it), not one per series.
    const metrics = [...new Set(series.map((s) => s.name))];
    const byMetric = (from: number, to: number) =>
      Promise.all(metrics.map((metric) => fetchBuckets(entitySelector(metric, kind, name), from, to, points))).then((all) => {
        const found = new Map<string, BucketSeries>();
        for (const one of all.flat()) found.set(seriesKey(one.name, one.labels), one);
        return found;
      });
    Promise.all([
      byMetric(range.from, range.to),
      width <= WEEK ? byMetric(range.from - WEEK, range.to - WEEK) : Promise.resolve(new Map<string, BucketSeries>()),
    ])
      .then(([current, previous]) => {
        if (!live) return;
        setCharts(
          series.map((sample) => {
            const key = seriesKey(sample.name, sample.labels);
            const mine = current.get(key);
            return { key, sample, data: mine ? bandData(mine, previous.get(key)) : null };
          }),
        );
        setLoading(false);
      })
      .catch((error: unknown) => live && hub.fail(error));
    return () => {
      live = false;
    };
  }, [seriesKeys, range.from, range.to, kind, name]);

  const choose = (label: string, seconds: number) => {
    const now = Date.now() / 1000;
    setRange({ label, from: now - seconds, to: now });
  };
  const zoom = (from: number, to: number) => {
    const chosen = zoomRange(from, to);
    if (chosen) setRange({ label: "custom", from: chosen[0], to: chosen[1] });
  };
  const pan = (direction: -1 | 1) => {
    const [from, to] = panRange(range.from, range.to, direction, Date.now() / 1000);
    setRange({ label: "custom", from, to });
  };
  const custom = (which: "from" | "to", value: string) => {
    const t = Date.parse(value) / 1000;
    if (!Number.isFinite(t)) return;
    const next = { ...range, label: "custom", [which]: t };
    if (next.to - next.from >= 60 && next.to - next.from <= 31 * 86400) setRange(next);
  };

  if (series.length === 0) {
    return <p class="empty">{hub.latest.size === 0 ? "Loading…" : `No current data for ${kind} ${name}.`}</p>;
  }

  return (
    <section aria-label={`${kind} ${name}`} data-testid="detail">
      <div class="toolbar" role="group" aria-label="Time range">
        {RANGES.map((r) => (
          <button
            key={r.label}
            type="button"
            class={range.label === r.label ? "chip on" : "chip"}
            aria-pressed={range.label === r.label}
            data-testid={`range-${r.label}`}
            onClick={() => choose(r.label, r.seconds)}
          >
            {r.label}
          </button>
        ))}
        <button type="button" class="chip" aria-label="Earlier" onClick={() => pan(-1)}>
          ◀
        </button>
        <button type="button" class="chip" aria-label="Later" onClick={() => pan(1)}>
          ▶
        </button>
      </div>
      <div class="toolbar custom-range">
        <label>
          From <input type="datetime-local" value={localInput(range.from)} onChange={(e) => custom("from", e.currentTarget.value)} />
        </label>
        <label>
          To <input type="datetime-local" value={localInput(range.to)} onChange={(e) => custom("to", e.currentTarget.value)} />
        </label>
        <span class="muted">Drag across a chart to zoom in.</span>
      </div>
      {loading && charts.length === 0 && <p class="empty">Loading charts…</p>}
      <div class="charts" aria-busy={loading}>
        {charts.map(({ key, sample, data }) => {
          const stats = data ? summary(data) : null;
          const change = changes.get(key);
          const unit = sample.unit ?? "";
          return (
            <figure class="chart detail-chart" key={key} data-testid="detail-chart" data-ready={data ? "true" : "false"}>
              <figcaption>
                <strong>{sample.name}</strong> <span class="muted">{seriesLabel(sample.labels)}</span>
                <span class="now">{formatValue(sample.value, unit)}</span>
                {stats && (
                  <span class="stats muted">
                    min {formatValue(stats.min, unit)} · avg {formatValue(stats.avg, unit)} · max {formatValue(stats.max, unit)}
                  </span>
                )}
                {change && <span class="muted"> · week over week {formatChange(change.comparison.change_percent)}</span>}
              </figcaption>
              {data ? (
                <BandChart
                  label={sample.name}
                  unit={unit}
                  data={data}
                  annotations={annotationsFor(alerts, range.from, range.to)}
                  shades={shadesFor(windows, sample.labels, range.from, range.to)}
                  from={range.from}
                  to={range.to}
                  onZoom={zoom}
                />
              ) : (
                <p class="empty">No data in this range.</p>
              )}
            </figure>
          );
        })}
      </div>
    </section>
  );
}
