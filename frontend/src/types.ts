/** Wire types of the hub API (/api/v1), as the backend sends them. */

export type Labels = Record<string, string>;

/** One value of one series at one time (`GET /api/v1/metrics/current`, SSE `samples`). */
export interface Sample {
  name: string;
  labels: Labels;
  value: number;
  /** Unix seconds. */
  time: number;
  unit?: string;
}

/** One series over a time range (`GET /api/v1/series`). */
export interface Series {
  name: string;
  labels: Labels;
  /** Unix seconds, ascending. */
  timestamps: number[];
  values: (number | null)[];
}

export type AlertState = "pending" | "firing" | "acknowledged" | "resolved";
export type Severity = "info" | "warning" | "critical";

export interface Alert {
  id: number;
  rule: string;
  state: AlertState;
  severity: Severity;
  labels: Labels;
  annotations: Record<string, string>;
  value: number | null;
  started_at: string;
  fired_at: string | null;
  resolved_at: string | null;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
  ack_comment: string | null;
  /** When the alert last changed on the server (ISO 8601); the newer copy of an alert wins. */
  updated_at: string | null;
}
