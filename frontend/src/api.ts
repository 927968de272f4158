/** Thin client for the hub's JSON API; every call is same-origin with the session cookie. */

import type { Alert, Sample, Series } from "./types";

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

async function request<T>(path: string, init: RequestInit = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (init.body !== undefined) headers["Content-Type"] = "application/json";
  // Cookie-authenticated writes must echo the CSRF token (a page on another site cannot read it).
  if ((init.method ?? "GET") !== "GET") headers["X-CSRF-Token"] = csrfToken();
  const response = await fetch(BASE + path, { credentials: "same-origin", ...init, headers });
  if (response.status === 401) throw new UnauthorizedError();
  if (!response.ok) {
    throw new ApiError(response.status, `${init.method ?? "GET"} ${path}: HTTP ${response.status}`);
  }
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

function post<T>(path: string, body: unknown): Promise<T> {
  return request<T>(path, { method: "POST", body: JSON.stringify(body) });
}

export function fetchCurrentMetrics(): Promise<Sample[]> {
  return request<Sample[]>("/metrics/current");
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
  return request<Alert[]>("/alerts");
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

/** URL of the Server-Sent Events stream (`samples` and `alert` events). */
export const EVENTS_URL = `${BASE}/events`;
