import { useEffect, useMemo, useState } from "preact/hooks";
import { fetchBuckets } from "../api";
import { AlertList } from "../components/AlertList";
import { LiveChart } from "../components/LiveChart";
import { memo } from "../components/memo";
import { MetricTiles } from "../components/MetricTiles";
import { Sparkline } from "../components/Sparkline";
import { KEY_METRIC, belongsTo, entitiesOf, keyValue, type Entity } from "../entities";
import { formatValue } from "../format";
import { hostSnapshot } from "../metrics";
import { entityPath } from "../router";
import type { BucketSeries } from "../types";
import type { HubState } from "../use-hub";

const SPARK_SECONDS = 3600;
const SPARK_POINTS = 60;
const SPARK_REFRESH_MS = 60_000;

/**
 * The last hour of every key metric (60 buckets), refetched every minute; first fetched once
 * `ready` (the overview's first answers are in), so the first paint waits for fewer requests.
 */
function useSparkSeries(fail: (error: unknown) => void, ready: boolean): BucketSeries[] {
  const [series, setSeries] = useState<BucketSeries[]>([]);
  useEffect(() => {
    if (!ready) return undefined;
    let live = true;
    const load = () => {
      const now = Date.now() / 1000;
      const metrics = [...new Set(Object.values(KEY_METRIC).map((k) => k.metric))];
      Promise.all(metrics.map((m) => fetchBuckets(m, now - SPARK_SECONDS, now, SPARK_POINTS)))
        .then((all) => live && setSeries(all.flat()))
        .catch((error: unknown) => {
          if (live && !(error instanceof TypeError)) fail(error); // Offline: keep the old lines.
        });
    };
    load();
    const timer = setInterval(load, SPARK_REFRESH_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [fail, ready]);
  return series;
}

const NO_VALUES: (number | null)[] = [];

function sparkValues(series: readonly BucketSeries[], entity: Entity): (number | null)[] {
  const { metric } = KEY_METRIC[entity.kind];
  return series.find((s) => s.name === metric && belongsTo(s.labels, entity.kind, entity.name))?.avg ?? NO_VALUES;
}

const HealthTile = memo(function HealthTile({ entity, value, spark }: { entity: Entity; value: number | null; spark: (number | null)[] }) {
  const { metric, unit } = KEY_METRIC[entity.kind];
  return (
    <li class={`health-tile ${entity.health}`} data-testid="health-tile" data-health={entity.health}>
      <a href={entityPath(entity.kind, entity.name)}>
        <span class="health-head">
          <span class="kind">{entity.kind}</span>
          <strong class="name">{entity.name}</strong>
          <span class="health" data-testid="health">
            {entity.health}
          </span>
        </span>
        <span class="health-value">
          <span class="metric">{metric}</span> {formatValue(value, unit)}
        </span>
        <Sparkline values={spark} label={`${metric} of ${entity.name}, last hour`} />
        {(entity.firing > 0 || entity.acknowledged > 0 || entity.reason) && (
          <span class="health-notes">
            {entity.firing > 0 && <span class="firing">{entity.firing} firing</span>}
            {entity.acknowledged > 0 && <span class="acked">{entity.acknowledged} acked</span>}
            {entity.reason && <span class="reason">{entity.reason}</span>}
          </span>
        )}
      </a>
    </li>
  );
});

// Parts redrawn only when their own data changes: the live status, a resync that brings
// nothing new or another entity's sample no longer redraw every tile, chart and alert row.
const HostTiles = memo(MetricTiles);
const Chart = memo(LiveChart);
const Alerts = memo(AlertList);

/** A count, or a dash while the first answers are outstanding. */
function count(value: number, loaded: boolean): string {
  return loaded ? String(value) : "–";
}

function Sections({ hub, spark, entities, firing }: { hub: HubState; spark: BucketSeries[]; entities: Entity[]; firing: number }) {
  const latest = useMemo(() => [...hub.latest.values()], [hub.latest]);
  const snapshot = useMemo(() => hostSnapshot(hub.latest, hub.host), [hub.latest, hub.host]);
  const active = useMemo(() => hub.alerts.filter((a) => a.state !== "resolved"), [hub.alerts]);
  return (
    <>
      <section aria-labelledby="health-heading">
        <h2 id="health-heading">Health</h2>
        {entities.length === 0 ? (
          <p class="empty">{hub.topology ? "Nothing monitored yet." : "Loading…"}</p>
        ) : (
          <ul class="health-tiles">
            {entities.map((entity) => (
              <HealthTile
                key={`${entity.kind}:${entity.name}`}
                entity={entity}
                value={keyValue(latest, entity.kind, entity.name)}
                spark={sparkValues(spark, entity)}
              />
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="host-heading">
        <h2 id="host-heading">{hub.host ? `Host ${hub.host}` : "Host"}</h2>
        <HostTiles snapshot={snapshot} />
      </section>
      <section aria-labelledby="chart-heading">
        <h2 id="chart-heading">Last hour</h2>
        {/* Mounted once the first answers are in: until then the page is short, the chart
            would count as on screen and fetch uPlot even where the tiles push it below the fold. */}
        <Chart data={hub.chart} onShown={hub.wantChart} />
      </section>
      <section aria-labelledby="alerts-heading">
        <h2 id="alerts-heading">
          Active alerts{firing > 0 && <span class="count"> {firing} firing</span>}
        </h2>
        <Alerts alerts={active} loaded={hub.alertsLoaded} onUpdate={hub.updateAlert} onError={hub.fail} />
        <p>
          <a href="/alerts">All alerts →</a>
        </p>
      </section>
    </>
  );
}

export function Overview({ hub }: { hub: HubState }) {
  const loaded = hub.alertsLoaded;
  const spark = useSparkSeries(hub.fail, loaded);
  const entities = useMemo(() => entitiesOf(hub.topology, hub.alerts), [hub.topology, hub.alerts]);
  const firing = hub.alerts.filter((a) => a.state === "firing").length;
  const acknowledged = hub.alerts.filter((a) => a.state === "acknowledged").length;
  const unhealthy = entities.filter((e) => e.health === "down" || e.health === "degraded").length;

  return (
    <>
      <section aria-labelledby="summary-heading" class="summary">
        <h2 id="summary-heading" class="visually-hidden">
          Summary
        </h2>
        <a class={`stat ${firing > 0 ? "bad" : "good"}`} href="/alerts?state=firing" data-testid="firing-count">
          <strong>{count(firing, loaded)}</strong> firing
        </a>
        <a class="stat" href="/alerts?state=acknowledged" data-testid="acked-count">
          <strong>{count(acknowledged, loaded)}</strong> acknowledged
        </a>
        <a class={`stat ${unhealthy > 0 ? "bad" : "good"}`} href="/topology">
          <strong>{count(unhealthy, loaded)}</strong> of {count(entities.length, loaded)} unhealthy
        </a>
      </section>
      {/* Until the first answers are in, one placeholder under the counts rather than empty
          sections: sections filling in one by one pushed those below them down (a layout shift
          of half a phone's screen). The counts are drawn at once (the largest text of the
          first paint) and fill in where they stand. */}
      {loaded ? (
        <Sections hub={hub} spark={spark} entities={entities} firing={firing} />
      ) : (
        <p class="empty" data-testid="overview-loading">
          Loading…
        </p>
      )}
    </>
  );
}
