/** The dashboard's live state: initial fetch, SSE updates, resync after reconnects. */

import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { EVENTS_URL, UnauthorizedError, fetchAlerts, fetchCurrentMetrics, fetchSeries, fetchTopology } from "./api";
import { mergeAlerts, upsertAlert } from "./alerts";
import {
  CHART_METRICS,
  WINDOW_SECONDS,
  type ChartData,
  appendSamples,
  chartFromSeries,
  emptyChart,
  withNewerRows,
} from "./chart-data";
import { type LiveStatus, connectLive } from "./live";
import { type Latest, dropVanished, mergeLatest, pickHost, replaceLatest } from "./metrics";
import { onStale } from "./offline";
import type { Alert, Sample, Topology } from "./types";

/** How often the topology (health of every host, service and container) is refetched. */
export const TOPOLOGY_REFRESH_MS = 15_000;
/** How often series that stopped reporting are dropped from the tiles (`dropVanished`). */
export const VANISHED_SWEEP_MS = 60_000;

export interface HubState {
  host: string | undefined;
  latest: Latest;
  chart: ChartData;
  alerts: Alert[];
  /** `false` until the first fetch of alerts has answered (to tell "none" from "not yet"). */
  alertsLoaded: boolean;
  status: LiveStatus;
  error: string | null;
  topology: Topology | null;
  /** When offline: the time (ms) of the last known data shown; `null` while online. */
  staleSince: number | null;
  /** Put an alert the API returned (after ack/unack) into the list. */
  updateAlert(alert: Alert): void;
  /** Report a failed call: a 401 leads to the login form, anything else to the banner. */
  fail(error: unknown): void;
  /** The live chart is on screen: fetch its last hour once (and again after a dropped stream). */
  wantChart(): void;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function useHub(onUnauthorized: () => void): HubState {
  const [latest, setLatest] = useState<Latest>(() => new Map());
  const [host, setHost] = useState<string | undefined>(undefined);
  const [chart, setChart] = useState<ChartData>(emptyChart);
  const [alerts, setAlerts] = useState<Alert[]>([]);
  const [alertsLoaded, setAlertsLoaded] = useState(false);
  const [status, setStatus] = useState<LiveStatus>("connecting");
  const [error, setError] = useState<string | null>(null);
  const [topology, setTopology] = useState<Topology | null>(null);
  const [staleSince, setStaleSince] = useState<number | null>(null);

  // SSE handlers outlive renders: they read the host and the unmount flag through refs.
  const hostRef = useRef<string | undefined>(undefined);
  const mounted = useRef(true);
  // A later refetch wins over an earlier one that answers late (counted separately for the
  // chart history, which only some refetches include).
  const generation = useRef(0);
  const historyGeneration = useRef(0);
  // The chart's history is fetched once the chart is shown (on a phone it starts below the
  // fold): two fewer requests and no chart work while the overview loads.
  const historyWanted = useRef(false);

  const fail = useCallback(
    (err: unknown) => {
      if (!mounted.current) return;
      if (err instanceof UnauthorizedError) onUnauthorized();
      else setError(`Could not reach the hub (${describe(err)}).`);
    },
    [onUnauthorized],
  );

  const adoptHost = (samples: readonly Sample[]): string | undefined => {
    hostRef.current ??= pickHost(samples);
    setHost(hostRef.current);
    return hostRef.current;
  };

  /** The chart's last hour, merged under the live points that arrived meanwhile. */
  const loadHistory = useCallback(async () => {
    const mine = ++historyGeneration.current;
    const now = Date.now() / 1000;
    try {
      const series = await Promise.all(CHART_METRICS.map((name) => fetchSeries(name, now - WINDOW_SECONDS, now)));
      if (!mounted.current || mine !== historyGeneration.current) return;
      const fetched = chartFromSeries(series.flat(), hostRef.current);
      setChart((live) => withNewerRows(fetched, live));
    } catch (err) {
      // Offline the tiles and alerts still show their last known values; the chart waits.
      if (err instanceof UnauthorizedError) fail(err);
    }
  }, [fail]);

  const wantChart = useCallback(() => {
    if (historyWanted.current) return;
    historyWanted.current = true;
    void loadHistory();
  }, [loadHistory]);

  /** Refetch current values and alerts; with `withHistory` also the chart's last hour, when shown. */
  const load = useCallback(
    async (withHistory: boolean) => {
      const mine = ++generation.current;
      if (withHistory && historyWanted.current) void loadHistory();
      try {
        const [samples, alertList, graph] = await Promise.all([
          fetchCurrentMetrics(),
          fetchAlerts(),
          fetchTopology().catch((err: unknown) => {
            if (err instanceof UnauthorizedError) throw err;
            return null; // The tiles and alerts do not wait for the graph.
          }),
        ]);
        if (!mounted.current) return;
        adoptHost(samples);
        if (mine === generation.current) {
          setLatest((previous) => replaceLatest(previous, samples));
          setAlerts((shown) => mergeAlerts(shown, alertList));
          setAlertsLoaded(true);
          // An unchanged graph keeps its object, so the views that draw it do not re-render.
          if (graph) setTopology((shown) => (shown && JSON.stringify(shown) === JSON.stringify(graph) ? shown : graph));
          setError(null);
        }
      } catch (err) {
        fail(err);
      }
    },
    [fail, loadHistory],
  );

  useEffect(() => onStale(setStaleSince), []);

  useEffect(() => {
    const timer = setInterval(() => setLatest(dropVanished), VANISHED_SWEEP_MS);
    return () => clearInterval(timer);
  }, []);

  useEffect(() => {
    const timer = setInterval(() => {
      fetchTopology().then((graph) => mounted.current && setTopology(graph), fail);
    }, TOPOLOGY_REFRESH_MS);
    return () => clearInterval(timer);
  }, [fail]);

  useEffect(() => {
    mounted.current = true;
    void load(false);
    const close = connectLive(EVENTS_URL, {
      samples(batch) {
        if (hostRef.current === undefined) adoptHost(batch);
        setLatest((previous) => mergeLatest(previous, batch));
        setChart((data) => appendSamples(data, batch, hostRef.current));
      },
      alert(alert) {
        setAlerts((list) => upsertAlert(list, alert));
      },
      status(next) {
        if (mounted.current) setStatus(next);
      },
      resync(afterError) {
        // The first open only closes the gap since the initial fetch; the chart history is
        // refetched only after a drop, when live points were actually missed.
        void load(afterError);
      },
    });
    return () => {
      mounted.current = false;
      close();
    };
  }, [load]);

  const updateAlert = useCallback((alert: Alert) => {
    setAlerts((list) => upsertAlert(list, alert));
  }, []);

  return { host, latest, chart, alerts, alertsLoaded, status, error, topology, staleSince, updateAlert, fail, wantChart };
}
