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

/** One series as min/avg/max buckets (`GET /api/v1/series?points=N`). */
export interface BucketSeries {
  name: string;
  labels: Labels;
  /** Unix seconds of the first bucket, and the bucket width in seconds. */
  start: number;
  step: number;
  min: (number | null)[];
  avg: (number | null)[];
  max: (number | null)[];
}

export type Health = "up" | "degraded" | "down" | "unknown";
export type NodeKind = "host" | "container" | "service";

export interface TopologyNode {
  id: string;
  kind: NodeKind;
  name: string;
  health: Health;
  host?: string | null;
  reason?: string;
}

export interface TopologyEdge {
  source: string;
  target: string;
  kind: "runs_on" | "served_by" | "depends_on";
}

export interface Topology {
  nodes: TopologyNode[];
  edges: TopologyEdge[];
}

export interface AlertEvent {
  at: string;
  kind: string;
  from_state: AlertState | null;
  to_state: AlertState | null;
  value?: number | null;
  actor?: string | null;
  comment?: string | null;
}

export interface AlertDetail {
  alert: Alert;
  history: AlertEvent[];
}

export interface Crossing {
  at: number | null;
  in_seconds: number | null;
  reason: string;
}

export interface Forecast {
  name: string;
  labels: Labels;
  slope_per_day: number;
  current: number;
  r2: number;
  samples: number;
  threshold: number | null;
  crossing: Crossing | null;
}

export interface Change {
  name: string;
  labels: Labels;
  comparison: {
    current_mean: number;
    previous_mean: number;
    change: number;
    change_percent: number | null;
  };
}

export interface Matcher {
  label: string;
  /** `=`, `!=`, `=~`, `!~`. */
  op: string;
  value: string;
}

export interface Silence {
  id: string;
  state: "pending" | "active" | "expired";
  matchers: Matcher[];
  starts_at: string;
  ends_at: string;
  created_by: string;
  comment: string;
}

export interface Rule {
  name: string;
  metric: string;
  threshold: number;
  operator: string;
  duration: number;
  severity: Severity;
  message: string;
  labels?: Labels;
  [key: string]: unknown;
}

export interface About {
  version: string;
  started_at: number;
  uptime_seconds: number;
  store_bytes: number | null;
  store_backend: string;
}

/** A notification channel (`GET /api/v1/channels`); only `name` and `type` are relied on. */
export interface Channel {
  name: string;
  type: string;
  [key: string]: unknown;
}

/** A registered push device (`GET /api/v1/push/subscriptions`). */
export interface PushSubscriptionInfo {
  id: string | number;
  name?: string | null;
  created_at?: string | null;
  [key: string]: unknown;
}

/** Who is signed in (`GET /api/v1/me`); `user` is null for token and login-link sessions. */
export interface Me {
  name: string;
  role: "admin" | "viewer";
  kind: string;
  user: string | null;
  totp_enabled: boolean;
}

/** A dashboard user (`GET /api/v1/users`). */
export interface User {
  name: string;
  role: "admin" | "viewer";
  created_at: string;
  totp_enabled: boolean;
  password_set?: boolean;
}

/** A live session (`GET /api/v1/sessions`); `id` is the hash of its secret. */
export interface SessionInfo {
  id: string;
  principal: string;
  created_at: string;
  expires_at: string;
}

/** One attempt to send a notification (`GET /api/v1/notifications/deliveries`). */
export interface Delivery {
  id: number | null;
  notification_id: number;
  channel: string;
  at: string;
  ok: boolean;
  outcome: string | null;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}

/** When a maintenance window holds (ISO times), clipped to the range asked for. */
export interface MaintenanceOccurrence {
  start: string;
  end: string;
  clipped_start: boolean;
  clipped_end: boolean;
}

/** A maintenance window of alerts.yml with its state now and its occurrences in a range. */
export interface MaintenanceWindow {
  name: string;
  matchers: Matcher[];
  comment: string;
  kind: "one-off" | "recurring";
  active: boolean;
  /** When it next closes (active) or opens, if within a year. */
  next_change: string | null;
  occurrences: MaintenanceOccurrence[];
}
