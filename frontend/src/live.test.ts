import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { connectLive, type LiveHandlers } from "./live";
import { FakeEventSource } from "./test/fake-event-source";

function handlers() {
  return {
    samples: vi.fn(),
    alert: vi.fn(),
    status: vi.fn(),
    resync: vi.fn(),
  } satisfies LiveHandlers;
}

const options = { EventSource: FakeEventSource as unknown as typeof EventSource, retryDelays: [1000, 5000] };

describe("connectLive", () => {
  beforeEach(() => {
    FakeEventSource.reset();
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("reports live on open and resyncs once to close the gap since the first fetch", () => {
    const h = handlers();
    connectLive("/api/v1/events", h, options);
    expect(h.status).toHaveBeenLastCalledWith("connecting");
    FakeEventSource.latest().open();
    expect(h.status).toHaveBeenLastCalledWith("live");
    expect(h.resync).toHaveBeenCalledWith(false);
  });

  it("parses samples and alert events and drops malformed ones", () => {
    const h = handlers();
    connectLive("/api/v1/events", h, options);
    const source = FakeEventSource.latest();
    source.emit("samples", [{ name: "cpu_usage", labels: {}, value: 1, time: 1 }]);
    source.emit("alert", { id: 7, rule: "cpu_high" });
    source.emit("samples", "{not json");
    expect(h.samples).toHaveBeenCalledTimes(1);
    expect(h.samples.mock.calls[0]?.[0]).toEqual([{ name: "cpu_usage", labels: {}, value: 1, time: 1 }]);
    expect(h.alert).toHaveBeenCalledWith({ id: 7, rule: "cpu_high" });
  });

  it("refetches everything after the browser reconnects by itself", () => {
    const h = handlers();
    connectLive("/api/v1/events", h, options);
    const source = FakeEventSource.latest();
    source.open();
    source.fail(true);
    expect(h.status).toHaveBeenLastCalledWith("reconnecting");
    source.open();
    expect(h.resync).toHaveBeenLastCalledWith(true);
    expect(FakeEventSource.instances).toHaveLength(1);
  });

  it("reopens with backoff when the browser gives up, resyncing at once (to notice a 401)", () => {
    const h = handlers();
    connectLive("/api/v1/events", h, options);
    FakeEventSource.latest().fail(false);
    expect(h.resync).toHaveBeenCalledWith(true);
    vi.advanceTimersByTime(999);
    expect(FakeEventSource.instances).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeEventSource.instances).toHaveLength(2);
    FakeEventSource.latest().fail(false);
    vi.advanceTimersByTime(4999);
    expect(FakeEventSource.instances).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(FakeEventSource.instances).toHaveLength(3);
  });

  it("stops for good when closed", () => {
    const h = handlers();
    const close = connectLive("/api/v1/events", h, options);
    FakeEventSource.latest().fail(false);
    close();
    vi.advanceTimersByTime(60_000);
    expect(FakeEventSource.instances).toHaveLength(1);
    expect(FakeEventSource.latest().readyState).toBe(2);
  });
});
