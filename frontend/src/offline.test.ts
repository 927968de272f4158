import { afterEach, describe, expect, it, vi } from "vitest";
import { fetchAlerts, fetchCurrentMetrics } from "./api";
import { onStale, recall, remember } from "./offline";
import { fakeHub, json, status } from "./test/fake-hub";

afterEach(() => localStorage.clear());

describe("last known data", () => {
  it("keeps good answers and gives them back when the network fails", async () => {
    const seen: (number | null)[] = [];
    const stop = onStale((at) => seen.push(at));
    fakeHub({ "GET /api/v1/metrics/current": () => json([{ name: "cpu_usage", labels: {}, value: 5, time: 1 }]) });
    expect(await fetchCurrentMetrics()).toHaveLength(1);
    expect(seen).toEqual([null]);

    vi.stubGlobal("fetch", vi.fn(async () => Promise.reject(new TypeError("Failed to fetch"))));
    expect(await fetchCurrentMetrics()).toEqual([{ name: "cpu_usage", labels: {}, value: 5, time: 1 }]);
    expect(seen[1]).toEqual(expect.any(Number));
    // Nothing kept for this one: the network error is the caller's.
    await expect(fetchAlerts()).rejects.toThrow("Failed to fetch");
    stop();
  });

  it("never replaces an HTTP error (such as 401) with old data", async () => {
    remember("/alerts", []);
    fakeHub({ "GET /api/v1/alerts": () => status(401) });
    await expect(fetchAlerts()).rejects.toThrow("not logged in");
    fakeHub({ "GET /api/v1/alerts": () => status(500) });
    await expect(fetchAlerts()).rejects.toThrow("HTTP 500");
  });

  it("ignores a corrupt entry", () => {
    localStorage.setItem("tcf-hub:last:/x", "{not json");
    expect(recall("/x")).toBeUndefined();
    remember("/y", { a: 1 }, 5);
    expect(recall("/y")).toEqual({ a: 1 });
  });
});
