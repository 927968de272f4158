/** Thin client for the hub's JSON API; every call is same-origin with the session cookie. */

import { recall, remember } from "./offline";
import type {
  About,
  Alert,
  AlertDetail,
  BucketSeries,
  Change,
  Channel,
  Delivery,
  MaintenanceWindow,
  Me,
  SessionInfo,
  User,
  Forecast,
  PushSubscriptionInfo,
  Rule,
  Sample,
  Series,
  Silence,
  Topology,
} from "./types";

/** The hub answered 401: there is no valid session, the login form must be shown. */
export class UnauthorizedError extends Error {
  constructor() {
    super("not logged in");
    this.name = "UnauthorizedError";
  }
}

/** Any other non-2xx answer (or an unreadable one). */
export class ApiError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.name = "ApiError";
    this.status = status;
  }
}

const BASE = "/api/v1";

/** The session's CSRF token, which the hub sets in a script-readable cookie at sign-in. */
export function csrfToken(): string {
  const match = /(?:^|;\s*)tcf_csrf=([^;]*)/.exec(document.cookie);
  return match?.[1] ? decodeURIComponent(match[1]) : "";
}

/** A call to the hub's API (``path`` below /api/v1): JSON in and out, the CSRF token on writes;
 * 401 throws ``UnauthorizedError``, other failures ``ApiError`` with the hub's reason. */
export async function request<T>(path: string, init: RequestInit = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (init.body !== undefined) headers["Content-Type"] = "application/json";
  // Cookie-authenticated writes must echo the CSRF token (a page on another site cannot read it).
  if ((init.method ?? "GET") !== "GET") headers["X-CSRF-Token"] = csrfToken();
  const response = await fetch(BASE + path, { credentials: "same-origin", ...init, headers });
  if (response.status === 401) throw new UnauthorizedError();
  if (!response.ok) {
    let reason = `HTTP ${response.status}`;
    try {
      const body = (await response.json()) as { detail?: string };
      if (body.detail) reason = body.detail;
    } catch {
      // no JSON body: keep the status
    }
    throw new ApiError(response.status, `${init.method ?? "GET"} ${path}: ${reason}`);
  }
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

function post<T>(path: string, body: unknown): Promise<T> {
  return request<T>(path, { method: "POST", body: JSON.stringify(body) });
}

/**
 * A GET whose last good answer is kept (localStorage): when the hub cannot be reached at all
 * (offline, a network error, not an HTTP error) the last known data is shown instead.
 */
async function cachedGet<T>(path: string): Promise<T> {
  try {
    const data = await request<T>(path);
    remember(path, data);
    return data;
  } catch (error) {
    if (error instanceof UnauthorizedError || error instanceof ApiError) throw error;
    const known = recall<T>(path);
    if (known === undefined) throw error;
    return known;
  }
}

export function fetchCurrentMetrics(): Promise<Sample[]> {
  return cachedGet<Sample[]>("/metrics/current");
}

/**
 * At most `points` min/avg/max buckets per series chosen by selector `match`
 * between `from` and `to` (unix seconds).
 */
export function fetchBuckets(match: string, from: number, to: number, points: number): Promise<BucketSeries[]> {
  const query = new URLSearchParams({
    match,
    from: String(Math.floor(from)),
    to: String(Math.ceil(to)),
    points: String(Math.max(1, Math.min(1000, Math.round(points)))),
  });
  return request<BucketSeries[]>(`/series?${query.toString()}`);
}

export function fetchForecasts(match: string, window = "7d"): Promise<Forecast[]> {
  return request<Forecast[]>(`/series/forecast?${new URLSearchParams({ match, window }).toString()}`);
}

export function fetchChanges(match: string, window = "1d"): Promise<Change[]> {
  return request<Change[]>(`/series/compare?${new URLSearchParams({ match, window }).toString()}`);
}

export function fetchTopology(): Promise<Topology> {
  return cachedGet<Topology>("/topology");
}

export function fetchAlertDetail(id: number): Promise<AlertDetail> {
  return request<AlertDetail>(`/alerts/${id}/history`);
}

/** alerts.yml's maintenance windows with their occurrences between `from` and `to` (unix
 * seconds; the hub's default, a day back to a week ahead, when absent). */
export function fetchMaintenance(from?: number, to?: number): Promise<MaintenanceWindow[]> {
  const query = from !== undefined && to !== undefined ? `?${new URLSearchParams({ from: String(Math.floor(from)), to: String(Math.ceil(to)) })}` : "";
  return request<MaintenanceWindow[]>(`/maintenance${query}`);
}

export function fetchSilences(): Promise<Silence[]> {
  return request<Silence[]>("/silences");
}

export interface SilenceRequest {
  matchers: string[];
  comment: string;
  duration: string;
}

export function createSilence(silence: SilenceRequest): Promise<Silence> {
  return post<Silence>("/silences", silence);
}

export function expireSilence(id: string): Promise<Silence> {
  return post<Silence>(`/silences/${encodeURIComponent(id)}/expire`, {});
}

export function fetchRules(): Promise<Rule[]> {
  return request<Rule[]>("/rules");
}

export function fetchAbout(): Promise<About> {
  return request<About>("/about");
}

/** Notification channels; `null` when this hub has no channels API (404). */
export async function fetchChannels(): Promise<Channel[] | null> {
  return orNullOn404(request<Channel[]>("/channels"));
}

/** Send a test notification now; the attempt says whether the channel took it (`ok`, `error`). */
export function testChannel(name: string): Promise<Partial<Delivery>> {
  return post<Partial<Delivery>>(`/channels/${encodeURIComponent(name)}/test`, {});
}

/** Registered push devices; `null` when this hub has no push API (404). */
export async function fetchPushSubscriptions(): Promise<PushSubscriptionInfo[] | null> {
  return orNullOn404(request<PushSubscriptionInfo[]>("/push/subscriptions"));
}

export function deletePushSubscription(id: string | number): Promise<void> {
  return request<undefined>(`/push/subscriptions/${encodeURIComponent(String(id))}`, { method: "DELETE" });
}

async function orNullOn404<T>(call: Promise<T>): Promise<T | null> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

/** Series of metric `name` between `from` and `to` (unix seconds). */
export function fetchSeries(name: string, from: number, to: number): Promise<Series[]> {
  const query = new URLSearchParams({
    match: name,
    from: String(Math.floor(from)),
    to: String(Math.ceil(to)),
  });
  return request<Series[]>(`/series?${query.toString()}`);
}

/** All alerts the hub knows, newest first. */
export function fetchAlerts(): Promise<Alert[]> {
  return cachedGet<Alert[]>("/alerts");
}

/** What an acknowledgement did (`acknowledged`, `already acknowledged`) and the alert after it. */
export interface AckResult {
  outcome: string;
  alert: Alert;
}

export async function ackAlert(id: number, comment?: string): Promise<Alert> {
  const result = await post<AckResult>(`/alerts/${id}/ack`, comment ? { comment } : {});
  return result.alert;
}

export function unackAlert(id: number): Promise<Alert> {
  return post<Alert>(`/alerts/${id}/unack`, {});
}

/**
 * Exchange the admin token for a session cookie.
 * Resolves `true` when the hub accepted it (204), `false` when it refused it (401).
 */
export async function login(token: string): Promise<boolean> {
  try {
    await post<undefined>("/session", { token });
    return true;
  } catch (error) {
    if (error instanceof UnauthorizedError) return false;
    throw error;
  }
}

/** How a password sign-in or the first-start setup ended. */
export type SignIn =
  | { outcome: "ok" }
  | { outcome: "invalid"; detail: string }
  | { outcome: "totp"; detail: string }
  | { outcome: "locked"; retryAfter: number };

async function signInCall(path: string, body: unknown): Promise<SignIn> {
  const response = await fetch(BASE + path, {
    method: "POST",
    credentials: "same-origin",
    headers: { Accept: "application/json", "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  if (response.ok) return { outcome: "ok" };
  if (response.status === 429) {
    return { outcome: "locked", retryAfter: Number(response.headers.get("Retry-After") ?? "60") };
  }
  let detail = `HTTP ${response.status}`;
  let totp = false;
  try {
    const answer = (await response.json()) as { detail?: string; extra?: { totp_required?: boolean } };
    detail = answer.detail ?? detail;
    totp = answer.extra?.totp_required === true;
  } catch {
    // no JSON body: keep the status as the detail
  }
  if (response.status >= 500) throw new ApiError(response.status, detail);
  return totp ? { outcome: "totp", detail } : { outcome: "invalid", detail };
}

/** Sign in with a user name and password, plus a TOTP code when the user has one. */
export function loginWithPassword(name: string, password: string, code?: string): Promise<SignIn> {
  return signInCall("/session", code ? { name, password, code } : { name, password });
}

/** First start: create the admin with the one-time link's token; signs them in. */
export function setUpAdmin(token: string, name: string, password: string): Promise<SignIn> {
  return signInCall("/setup", { token, name, password });
}

/** Who is signed in, with the role (admins see the users screen). */
export function fetchMe(): Promise<Me> {
  return request<Me>("/me");
}

export function fetchUsers(): Promise<User[]> {
  return request<User[]>("/users");
}

/** A created user; `password` is set only when the hub generated it (shown once). */
export interface UserCreated {
  user: User;
  password: string | null;
}

/** Add a user; without a password the hub generates one and returns it. */
export function createUser(name: string, role: User["role"], password?: string): Promise<UserCreated> {
  return post<UserCreated>("/users", password ? { name, role, password } : { name, role });
}

export function removeUser(name: string): Promise<void> {
  return request<undefined>(`/users/${encodeURIComponent(name)}`, { method: "DELETE" });
}

/** A password reset: the generated password (if the hub chose it) and the sessions ended. */
export interface PasswordReset {
  sessions_ended: number;
  password: string | null;
}

export function resetPassword(name: string, password?: string): Promise<PasswordReset> {
  return post<PasswordReset>(`/users/${encodeURIComponent(name)}/password`, password ? { password } : {});
}

/** Turn a user's TOTP off (a lost phone); they can enrol again after signing in. */
export function resetUserTotp(name: string): Promise<void> {
  return request<undefined>(`/users/${encodeURIComponent(name)}/totp`, { method: "DELETE" });
}

export function fetchSessions(): Promise<SessionInfo[]> {
  return request<SessionInfo[]>("/sessions");
}

export function revokeSession(id: string): Promise<void> {
  return request<undefined>(`/sessions/${encodeURIComponent(id)}`, { method: "DELETE" });
}

/** Change the signed-in user's password (their other sessions end). */
export function changePassword(current: string, next: string): Promise<void> {
  return post<undefined>("/me/password", { current, new: next });
}

/** A TOTP secret awaiting its first code, and its otpauth:// URI for an authenticator app. */
export interface TotpEnrolment {
  secret: string;
  uri: string;
}

export function startTotp(): Promise<TotpEnrolment> {
  return post<TotpEnrolment>("/me/totp", {});
}

export function confirmTotp(code: string): Promise<void> {
  return request<undefined>("/me/totp", { method: "PUT", body: JSON.stringify({ code }) });
}

export function removeTotp(): Promise<void> {
  return request<undefined>("/me/totp", { method: "DELETE" });
}

export function signOut(): Promise<void> {
  return request<undefined>("/session", { method: "DELETE" });
}

/** A page of the delivery log, newest first; `before` (an attempt id) pages to older ones. */
export function fetchDeliveries(limit: number, channel?: string, before?: number): Promise<Delivery[]> {
  const query = new URLSearchParams({ limit: String(limit) });
  if (channel) query.set("channel", channel);
  if (before !== undefined) query.set("before", String(before));
  return request<Delivery[]>(`/notifications/deliveries?${query.toString()}`);
}

/** URL of the Server-Sent Events stream (`samples` and `alert` events). */
export const EVENTS_URL = `${BASE}/events`;
