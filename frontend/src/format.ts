/** Display formatting for metric values, times and severities (pure, no DOM). */

import type { Severity } from "./types";

const DASH = "–";

function finite(value: number | null | undefined): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

/** `12.34` → `"12.3%"`; missing or non-finite values → `"–"`. */
export function formatPercent(value: number | null | undefined): string {
  if (!finite(value)) return DASH;
  return `${value.toFixed(1)}%`;
}

/** A plain number with at most `digits` decimals and no trailing zeros: `93.10` → `"93.1"`. */
export function formatNumber(value: number | null | undefined, digits = 2): string {
  if (!finite(value)) return DASH;
  return String(Number(value.toFixed(digits)));
}

const RATE_UNITS = ["B/s", "kB/s", "MB/s", "GB/s", "TB/s"] as const;

/**
 * Bytes per second in decimal (SI) units, as network tools show them:
 * `340` → `"340 B/s"`, `1_234_567` → `"1.2 MB/s"`, `123_456_789` → `"123 MB/s"`.
 */
export function formatBytesPerSecond(value: number | null | undefined): string {
  if (!finite(value)) return DASH;
  let scaled = Math.max(0, value);
  let unit = 0;
  while (scaled >= 999.5 && unit < RATE_UNITS.length - 1) {
    scaled /= 1000;
    unit += 1;
  }
  // One decimal while it carries information (1.2 MB/s), none above 100 or for bytes.
  const text = unit === 0 || scaled >= 99.95 ? scaled.toFixed(0) : scaled.toFixed(1);
  return `${text} ${RATE_UNITS[unit]}`;
}

/**
 * How long ago `then` was, relative to `now` (both in ms since the epoch):
 * `"just now"`, `"42 s ago"`, `"3 min ago"`, `"5 h ago"`, `"2 d ago"`.
 * Times slightly in the future (clock skew between browser and hub) read as "just now".
 */
export function formatRelativeTime(then: number, now: number): string {
  if (!Number.isFinite(then)) return DASH;
  const seconds = Math.floor((now - then) / 1000);
  if (seconds < 10) return "just now";
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} d ago`;
}

/** ISO 8601 timestamp → ms since the epoch (NaN when absent or malformed). */
export function parseTimestamp(iso: string | null | undefined): number {
  return iso ? Date.parse(iso) : Number.NaN;
}

const SEVERITY_COLORS: Record<Severity, string> = {
  critical: "var(--sev-critical)",
  warning: "var(--sev-warning)",
  info: "var(--sev-info)",
};

/** CSS colour for an alert severity; unknown severities get the neutral "info" colour. */
export function severityColor(severity: string): string {
  return SEVERITY_COLORS[severity as Severity] ?? SEVERITY_COLORS.info;
}

/**
 * A duration in words, largest unit first, rounded: `45` → `"45 s"`, `5400` → `"1.5 h"`,
 * `777600` → `"9 days"`.
 */
export function formatDuration(seconds: number | null | undefined): string {
  if (!finite(seconds)) return DASH;
  const s = Math.abs(seconds);
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  if (s < 2 * 86400) return `${Number((s / 3600).toFixed(1))} h`;
  const days = Math.round(s / 86400);
  return `${days} ${days === 1 ? "day" : "days"}`;
}

const SIZE_UNITS = ["B", "kB", "MB", "GB", "TB"] as const;

/** A size in decimal units: `2_400_000` → `"2.4 MB"`. */
export function formatBytes(value: number | null | undefined): string {
  if (!finite(value)) return DASH;
  let scaled = Math.max(0, value);
  let unit = 0;
  while (scaled >= 999.5 && unit < SIZE_UNITS.length - 1) {
    scaled /= 1000;
    unit += 1;
  }
  return `${unit === 0 || scaled >= 99.95 ? scaled.toFixed(0) : scaled.toFixed(1)} ${SIZE_UNITS[unit]}`;
}

/** A metric value with its unit: `%` and `ms` read naturally, bytes/s scaled. */
export function formatValue(value: number | null | undefined, unit = ""): string {
  if (!finite(value)) return DASH;
  if (unit === "%") return formatPercent(value);
  if (unit === "B/s" || unit === "bytes/s") return formatBytesPerSecond(value);
  if (unit === "B" || unit === "bytes") return formatBytes(value);
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return unit ? `${formatNumber(value, digits)} ${unit}` : formatNumber(value, digits);
}

/** A signed change: `+12.5%`, `−3.0%`. */
export function formatChange(percent: number | null | undefined): string {
  if (!finite(percent)) return DASH;
  const sign = percent > 0 ? "+" : percent < 0 ? "−" : "±";
  return `${sign}${Math.abs(percent).toFixed(1)}%`;
}

/**
 * Orders text by UTF-16 code units, for sort comparators on the overview's path:
 * `localeCompare` (and any Intl call) first loads ICU's locale data, ~50 ms of a phone's load.
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function pad(value: number): string {
  return String(value).padStart(2, "0");
}

/**
 * A time (ms since the epoch) in the browser's time zone as `"2026-12-07 14:05:09"`, without
 * Intl (whose first `toLocaleString` costs ~50–100 ms of a page's load); `"–"` when not finite.
 */
export function formatLocalTime(ms: number): string {
  if (!Number.isFinite(ms)) return DASH;
  const d = new Date(ms);
  const date = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  return `${date} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
