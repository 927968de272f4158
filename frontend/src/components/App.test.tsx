import { act, cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/preact";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FakeEventSource } from "../test/fake-event-source";
import { alert, fakeHub, json, status } from "../test/fake-hub";
import type { Sample } from "../types";
import { VANISHED_SWEEP_MS } from "../use-hub";
import { App } from "./App";

// uPlot draws on a canvas, which happy-dom lacks; the fake records what the chart was given.
const plots = vi.hoisted(() => [] as { data: unknown[][] }[]);
vi.mock("uplot", () => ({
  default: class {
    data: unknown[][];
    width: number;
    constructor(opts: { width: number }, data: unknown[][]) {
      this.width = opts.width;
      this.data = data;
      plots.push(this);
    }
    setData(data: unknown[][]) {
      this.data = data;
    }
    setSize() {}
    destroy() {}
  },
}));

const now = Math.floor(Date.now() / 1000);
const sample = (name: string, labels: Record<string, string>, value: number, time = now): Sample => ({
  name,
  labels: { host: "h1", ...labels },
  value,
  time,
});
const current: Sample[] = [
  sample("cpu_usage", {}, 12.5),
  sample("memory_usage", {}, 40.25),
  sample("system_load", { period: "1m" }, 0.42),
  sample("disk_usage", { mount: "/" }, 55),
  sample("network_io", { direction: "rx", interface: "eth0" }, 1000),
  sample("network_io", { direction: "rx", interface: "eth1" }, 500),
  sample("network_io", { direction: "tx", interface: "eth0" }, 2_500_000),
];

/** The hub: every /api call is 401 until a POST /session with the right token. */
function hub() {
  let session = false;
  const guarded = (answer: () => Response) => () => (session ? answer() : status(401));
  return fakeHub({
    "POST /api/v1/session": (body) => {
      session = (body as { token?: string }).token === "s3cret";
      return status(session ? 204 : 401);
    },
    "GET /api/v1/metrics/current": guarded(() => json(current)),
    "GET /api/v1/alerts": guarded(() => json([alert({ id: 1 })])),
    "GET /api/v1/series": (_body, url) =>
      guarded(() =>
        json([{ name: url.searchParams.get("match"), labels: { host: "h1" }, timestamps: [now - 60, now], values: [10, 12.5] }]),
      )(),
  });
}

const tileValue = (testId: string) => within(screen.getByTestId(testId)).getByTestId("metric-value").textContent;

async function logIn(token: string) {
  fireEvent.input(await screen.findByTestId("token-input"), { target: { value: token } });
  fireEvent.click(screen.getByTestId("login-button"));
}

describe("App", () => {
  beforeEach(() => {
    FakeEventSource.reset();
    plots.length = 0;
    vi.stubGlobal("EventSource", FakeEventSource);
    // happy-dom lays nothing out, so nothing would ever come into view: everything is in view.
    vi.stubGlobal(
      "IntersectionObserver",
      class {
        constructor(private readonly callback: IntersectionObserverCallback) {}
        observe() {
          this.callback([{ isIntersecting: true } as IntersectionObserverEntry], this as unknown as IntersectionObserver);
        }
        disconnect() {}
      },
    );
  });
  afterEach(cleanup);

  it("asks for the token on 401, rejects a wrong one and loads the dashboard after login", async () => {
    const api = hub();
    render(<App />);

    await logIn("wrong");
    expect((await screen.findByRole("alert")).textContent).toBe("Invalid token");
    expect(screen.getByLabelText("Admin token")).toBe(screen.getByTestId("token-input"));

    await logIn("s3cret");
    await waitFor(() => expect(tileValue("metric-cpu_usage")).toBe("12.5%"));
    expect(api.calls("POST /api/v1/session")).toEqual([{ token: "wrong" }, { token: "s3cret" }]);
    expect(tileValue("metric-memory_usage")).toBe("40.3%");
    expect(tileValue("metric-system_load")).toBe("0.42");
    expect(tileValue("metric-disk_usage-/")).toBe("55.0%");
    expect(tileValue("metric-network_io")).toBe("rx 1.5 kB/s tx 2.5 MB/s");
    expect(screen.getAllByTestId("alert-row")).toHaveLength(1);
    expect(screen.getByTestId("live-chart")).toBeTruthy();
    // The chart's history is asked for once the chart is shown (here at once: all in view).
    const history = () => api.fetch.mock.calls.map(([input]) => String(input)).filter((url) => url.includes("/series?") && !url.includes("points="));
    await waitFor(() => expect(history().map((url) => new URL(url, "http://hub.test").searchParams.get("match"))).toEqual(["cpu_usage", "memory_usage"]));
  });

  it("asks for the chart's history only once the chart is on screen", async () => {
    let show: (() => void) | undefined;
    vi.stubGlobal(
      "IntersectionObserver",
      class {
        constructor(private readonly callback: IntersectionObserverCallback) {}
        observe() {
          show = () => this.callback([{ isIntersecting: true } as IntersectionObserverEntry], this as unknown as IntersectionObserver);
        }
        disconnect() {}
      },
    );
    const api = hub();
    render(<App />);
    await logIn("s3cret");
    await waitFor(() => expect(tileValue("metric-cpu_usage")).toBe("12.5%"));
    const history = () => api.fetch.mock.calls.map(([input]) => String(input)).filter((url) => url.includes("/series?") && !url.includes("points="));
    await act(async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
    });
    expect(history()).toEqual([]);
    expect(plots).toHaveLength(0);
    act(() => show?.());
    await waitFor(() => expect(history()).toHaveLength(2));
    await waitFor(() => expect(plots).toHaveLength(1));
  });

  it("applies live samples and alerts from the event stream", async () => {
    hub();
    render(<App />);
    await logIn("s3cret");
    await waitFor(() => expect(tileValue("metric-cpu_usage")).toBe("12.5%"));
    expect(screen.getByTestId("live-status").textContent).not.toBe("live");

    // The newest subscription: the one before the login belonged to the unmounted dashboard.
    const stream = FakeEventSource.latest();
    expect(stream.url).toBe("/api/v1/events");
    expect(stream.readyState).not.toBe(FakeEventSource.CLOSED);
    act(() => stream.open());
    expect(screen.getByTestId("live-status").textContent).toBe("live");

    act(() => {
      stream.emit("samples", [sample("cpu_usage", {}, 77, now + 10), sample("memory_usage", {}, 41, now + 10)]);
      stream.emit("alert", alert({ id: 9, rule: "memory_high", state: "pending" }));
    });
    expect(tileValue("metric-cpu_usage")).toBe("77.0%");
    const ids = screen.getAllByTestId("alert-row").map((row) => row.dataset.alertId);
    expect(ids).toEqual(["9", "1"]);

    await waitFor(() => expect(plots.length).toBe(1));
    await waitFor(() => {
      const [t, cpu, mem] = plots[0]?.data ?? [];
      expect(t).toEqual([now - 60, now, now + 10]);
      expect(cpu).toEqual([10, 12.5, 77]);
      expect(mem).toEqual([10, 12.5, 41]);
    });
  });

  it("refetches the state when the stream comes back after an error", async () => {
    const api = hub();
    render(<App />);
    await logIn("s3cret");
    await waitFor(() => expect(tileValue("metric-cpu_usage")).toBe("12.5%"));
    await waitFor(() => expect(plots).toHaveLength(1)); // the chart shown: its history asked for
    const stream = FakeEventSource.latest();
    const alertsBefore = api.calls("GET /api/v1/alerts").length;
    act(() => stream.open());
    // The first open only closes the gap since the initial fetch: no chart history.
    await waitFor(() => expect(api.calls("GET /api/v1/alerts").length).toBe(alertsBefore + 1));
    const seriesBefore = api.calls("GET /api/v1/series").length;

    act(() => stream.fail(true));
    expect(screen.getByTestId("live-status").textContent).toBe("reconnecting…");
    act(() => stream.open());
    await waitFor(() => expect(api.calls("GET /api/v1/alerts").length).toBe(alertsBefore + 2));
    await waitFor(() => expect(api.calls("GET /api/v1/series").length).toBe(seriesBefore + 2));
  });
  it("drops the tile of a series that stopped reporting while the stream stays up", async () => {
    const sweeps: (() => void)[] = [];
    const realSetInterval = globalThis.setInterval;
    const spy = vi.spyOn(globalThis, "setInterval").mockImplementation(((handler: () => void, ms?: number) => {
      if (ms === VANISHED_SWEEP_MS) sweeps.push(handler);
      return realSetInterval(handler, ms);
    }) as typeof setInterval);
    try {
      hub();
      render(<App />);
      await logIn("s3cret");
      await waitFor(() => expect(tileValue("metric-cpu_usage")).toBe("12.5%"));
      const stream = FakeEventSource.latest();
      act(() => stream.open());
      act(() => stream.emit("samples", [sample("disk_usage", { mount: "/tmp/gone" }, 30, now + 5)]));
      expect(tileValue("metric-disk_usage-/tmp/gone")).toBe("30.0%");

      // Six minutes later the host still reports cpu and "/", the mount no more.
      const later = now + 365;
      act(() => stream.emit("samples", [sample("cpu_usage", {}, 20, later), sample("disk_usage", { mount: "/" }, 56, later)]));
      expect(sweeps.length).toBeGreaterThan(0);
      act(() => sweeps.forEach((sweep) => sweep()));
      expect(screen.queryByTestId("metric-disk_usage-/tmp/gone")).toBeNull();
      expect(tileValue("metric-disk_usage-/")).toBe("56.0%");
      expect(tileValue("metric-cpu_usage")).toBe("20.0%");
    } finally {
      spy.mockRestore();
    }
  });
});
