import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { sparklinePath } from "../components/Sparkline";
import { alert, fakeHub, json, status } from "../test/fake-hub";
import type { Alert } from "../types";
import type { HubState } from "../use-hub";
import { askedToAck, metricSelector, silenceMatchers, windowAround } from "./AlertDetail";
import { AlertsView } from "./Alerts";
import { SettingsView } from "./Settings";
import { parseMatcherInput } from "./Silences";
import { TopologyView } from "./Topology";

afterEach(cleanup);

function hubWith(alerts: Alert[], overrides: Partial<HubState> = {}): HubState {
  return {
    host: "h1",
    latest: new Map(),
    chart: { t: [], cpu: [], mem: [] },
    wantChart: () => undefined,
    alerts,
    alertsLoaded: true,
    status: "live",
    error: null,
    topology: null,
    staleSince: null,
    updateAlert: vi.fn(),
    fail: vi.fn(),
    ...overrides,
  };
}

describe("AlertsView", () => {
  it("filters by state and acknowledges the selected alerts in bulk", async () => {
    const alerts = [
      alert({ id: 1, state: "firing" }),
      alert({ id: 2, state: "pending" }),
      alert({ id: 3, state: "resolved" }),
    ];
    const api = fakeHub({
      "POST /api/v1/alerts/1/ack": () => json({ outcome: "acknowledged", alert: { ...alerts[0], state: "acknowledged" } }),
      "POST /api/v1/alerts/2/ack": () => json({ outcome: "acknowledged", alert: { ...alerts[1], state: "acknowledged" } }),
    });
    const hub = hubWith(alerts);
    const { rerender } = render(<AlertsView hub={hub} state={null} />);
    expect(screen.getAllByTestId("alert-row")).toHaveLength(3);
    expect(screen.getByTestId("filter-firing").textContent).toContain("1");

    fireEvent.click(screen.getByText("Select all ackable"));
    expect(screen.getByTestId("bulk-ack").textContent).toBe("Ack 2 selected");
    fireEvent.click(screen.getByTestId("bulk-ack"));
    await waitFor(() => expect(hub.updateAlert).toHaveBeenCalledTimes(2));
    expect(api.calls("POST /api/v1/alerts/1/ack")).toHaveLength(1);
    expect(api.calls("POST /api/v1/alerts/3/ack")).toHaveLength(0);

    rerender(<AlertsView hub={hub} state="resolved" />);
    const rows = screen.getAllByTestId("alert-row");
    expect(rows.map((r) => r.getAttribute("data-alert-id"))).toEqual(["3"]);
    expect(within(rows[0] as HTMLElement).getByRole("link").getAttribute("href")).toBe("/alerts/3");
  });
});

describe("SettingsView", () => {
  it("shows the about figures and hides push and channels when the hub has no such API", async () => {
    fakeHub({
      "GET /api/v1/about": () =>
        json({ version: "1.2.3", started_at: 0, uptime_seconds: 7200, store_bytes: 2_400_000, store_backend: "sqlite" }),
    });
    vi.stubGlobal("PushManager", class {});
    render(<SettingsView hub={hubWith([])} />);
    await waitFor(() => expect(screen.getByTestId("about-version").textContent).toBe("1.2.3"));
    expect(screen.getByTestId("about").textContent).toContain("2.4 MB");
    expect(screen.getByTestId("about").textContent).toContain("2 h");
    expect(screen.queryByTestId("channels")).toBeNull();
    expect(screen.queryByTestId("push-devices")).toBeNull();
  });

  it("lists channels with a send-test button and push devices with remove", async () => {
    const api = fakeHub({
      "GET /api/v1/about": () => status(500),
      "GET /api/v1/channels": () => json([{ name: "ops", type: "slack" }, { name: "pager", type: "webhook" }]),
      "POST /api/v1/channels/ops/test": () => json({ ok: true }),
      "POST /api/v1/channels/pager/test": () => json({ ok: false, error: "receiver answered HTTP 503" }),
      "GET /api/v1/push/subscriptions": () => json([{ id: 7, name: "phone" }]),
      "DELETE /api/v1/push/subscriptions/7": () => status(204),
    });
    vi.stubGlobal("PushManager", class {});
    render(<SettingsView hub={hubWith([])} />);
    const channels = await screen.findByTestId("channels");
    const [ops, pager] = within(channels).getAllByRole("listitem");
    fireEvent.click(within(ops as HTMLElement).getByText("Send test"));
    await waitFor(() => expect(within(ops as HTMLElement).getByRole("status").textContent).toBe("sent"));
    fireEvent.click(within(pager as HTMLElement).getByText("Send test"));
    await waitFor(() =>
      expect(within(pager as HTMLElement).getByRole("status").textContent).toBe("failed: receiver answered HTTP 503"),
    );
    const push = await screen.findByTestId("push-devices");
    expect(screen.getByTestId("push-state").textContent).toBe("unsupported");
    fireEvent.click(within(push).getByText("Remove"));
    await waitFor(() => expect(api.calls("DELETE /api/v1/push/subscriptions/7")).toHaveLength(1));
  });
});

describe("TopologyView", () => {
  it("draws clickable nodes and lists the links in words", () => {
    render(
      <TopologyView
        hub={hubWith([], {
          topology: {
            nodes: [
              { id: "host:a", kind: "host", name: "a", health: "up" },
              { id: "container:a/db", kind: "container", name: "db", health: "down", host: "a" },
            ],
            edges: [{ source: "container:a/db", target: "host:a", kind: "runs_on" }],
          },
        })}
      />,
    );
    const nodes = screen.getAllByTestId("topology-node");
    expect(nodes.map((n) => n.getAttribute("href")).sort()).toEqual(["/containers/db", "/hosts/a"]);
    expect(screen.getByText("container db runs on host a")).toBeTruthy();
  });
});

describe("helpers", () => {
  it("silences exactly one alert and charts around it", () => {
    const a = alert({ rule: "cpu_high", labels: { host: 'h"1' }, started_at: new Date(10_000_000).toISOString(), resolved_at: null });
    expect(silenceMatchers(a)).toEqual(['alertname="cpu_high"', 'host="h\\"1"']);
    expect(windowAround(a, 20_000)).toEqual([10_000 - 3600, 20_000]);
    const labelled = alert({ labels: { alertname: "x", severity: "warning", host: "h1", team: "ops", mount: "/" } });
    expect(metricSelector("disk_usage", labelled, { team: "ops" })).toBe('disk_usage{host="h1",mount="/"}');
    expect(parseMatcherInput(" host=db1, service=~\"a|b\"\n,")).toEqual(["host=db1", 'service=~"a|b"']);
  });

  it("asks to acknowledge only when a notification's Acknowledge link says so", () => {
    expect(askedToAck("?ack=1")).toBe(true);
    expect(askedToAck("?ack=0")).toBe(false);
    expect(askedToAck("")).toBe(false);
  });

  it("draws a sparkline with gaps", () => {
    expect(sparklinePath([1], 100, 24)).toBe("");
    // A series sampled every bucket: one empty bucket is an outage, the line breaks there.
    expect(sparklinePath([0, 10, 10, null, 5], 120, 24)).toBe("M0.0 23.0L30.0 1.0L60.0 1.0M120.0 12.0h0.01");
  });

  it("bridges the empty buckets of a sparse series and breaks only at a longer gap", () => {
    // Samples every 3 buckets (a host reporting every 5 minutes in 1-minute buckets)...
    const sparse = [0, null, null, 10, null, null, 0, null, null, 10];
    expect(sparklinePath(sparse, 90, 24)).toBe("M0.0 23.0L30.0 1.0L60.0 23.0L90.0 1.0");
    // ...and a gap of 6 buckets in it, twice its cadence: an outage.
    const outage = [0, null, null, 10, null, null, 0, null, null, null, null, null, 10, null, null, 0];
    expect(sparklinePath(outage, 150, 24)).toBe("M0.0 23.0L30.0 1.0L60.0 23.0M120.0 1.0L150.0 23.0");
  });
});

describe("MaintenanceView", () => {
  it("lists the windows, active first, with matchers, comment and when", async () => {
    const now = Date.now();
    const api = fakeHub({
      "GET /api/v1/maintenance": () =>
        json([
          {
            name: "nightly backup",
            matchers: [],
            comment: "",
            kind: "recurring",
            active: false,
            next_change: new Date(now + 3600_000).toISOString(),
            occurrences: [],
          },
          {
            name: "db upgrade",
            matchers: [{ label: "host", op: "=~", value: "db.*" }],
            comment: "postgres 17",
            kind: "one-off",
            active: true,
            next_change: new Date(now + 600_000).toISOString(),
            occurrences: [],
          },
        ]),
    });
    const { MaintenanceView } = await import("./Maintenance");
    render(<MaintenanceView hub={hubWith([])} />);
    const items = await screen.findAllByTestId("maintenance-window");
    expect(items.map((li) => li.querySelector("strong")?.textContent)).toEqual(["db upgrade", "nightly backup"]);
    expect(items[0]?.textContent).toContain('host=~"db.*"');
    expect(items[0]?.textContent).toContain("postgres 17");
    expect(items[0]?.textContent).toContain(`active until ${new Date(now + 600_000).toLocaleString()}`);
    expect(items[1]?.textContent).toContain("every alert");
    expect(items[1]?.textContent).toContain(`next ${new Date(now + 3600_000).toLocaleString()}`);
    expect(api.calls("GET /api/v1/maintenance")).toHaveLength(1);
  });

  it("says so when alerts.yml has no windows", async () => {
    fakeHub({ "GET /api/v1/maintenance": () => json([]) });
    const { MaintenanceView } = await import("./Maintenance");
    render(<MaintenanceView hub={hubWith([])} />);
    expect(await screen.findByText(/No maintenance windows/)).toBeTruthy();
  });
});
