/** Capacity forecasts and week-over-week growth, ordered for people (pure). */

import { formatDuration } from "./format";
import { seriesKey } from "./metrics";
import type { Change, Forecast } from "./types";

/** Metrics whose forecasts the trends view shows (percentages: "full" means 100 %). */
export const FORECAST_METRICS = ["disk_usage", "memory_usage"] as const;
/** Metrics compared with the week before. */
export const CHANGE_METRICS = ["cpu_usage", "memory_usage", "disk_usage", "response_time", "error_rate", "network_io"] as const;

/** "full in 9 days", "full now", "not filling up" for a forecast. */
export function forecastText(forecast: Forecast): string {
  const crossing = forecast.crossing;
  if (crossing?.in_seconds != null) {
    return crossing.in_seconds <= 0 ? "full now" : `full in ${formatDuration(crossing.in_seconds)}`;
  }
  if (forecast.slope_per_day <= 0) return "not filling up";
  return "not full within the horizon";
}

/** Soonest full first; then the steepest growth. */
export function byUrgency(forecasts: readonly Forecast[]): Forecast[] {
  const soon = (f: Forecast) => f.crossing?.in_seconds ?? Infinity;
  return [...forecasts].sort((a, b) => soon(a) - soon(b) || b.slope_per_day - a.slope_per_day);
}

/** The `limit` series that grew most (relative change), growing ones only, each series once. */
export function topGrowers(changes: readonly Change[], limit = 10): Change[] {
  const seen = new Set<string>();
  return [...changes]
    .filter((c) => (c.comparison.change_percent ?? 0) > 0)
    .sort((a, b) => (b.comparison.change_percent ?? 0) - (a.comparison.change_percent ?? 0))
    .filter((c) => {
      const key = seriesKey(c.name, c.labels);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .slice(0, limit);
}
