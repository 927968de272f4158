import { describe, expect, it, vi } from "vitest";
import { applyUpdate, onUpdateWaiting, watchRegistration } from "./sw-update";

class FakeTarget extends EventTarget {}

function worker(state = "installing") {
  const w = Object.assign(new FakeTarget(), { state, postMessage: vi.fn() });
  return w as unknown as ServiceWorker & { state: string; postMessage: ReturnType<typeof vi.fn> };
}

describe("update prompt handshake", () => {
  it("announces a new worker once installed while another controls the page, then asks it to take over", () => {
    const registration = Object.assign(new FakeTarget(), { waiting: null, installing: null as ServiceWorker | null });
    const container = Object.assign(new FakeTarget(), { controller: {} });
    const seen: (ServiceWorker | null)[] = [];
    const stop = onUpdateWaiting((w) => seen.push(w));
    watchRegistration(registration as unknown as ServiceWorkerRegistration, container as unknown as ServiceWorkerContainer);

    const next = worker();
    registration.installing = next;
    registration.dispatchEvent(new Event("updatefound"));
    expect(seen).toEqual([null]);
    (next as { state: string }).state = "installed";
    next.dispatchEvent(new Event("statechange"));
    expect(seen).toEqual([null, next]);

    const reload = vi.fn();
    applyUpdate(container as unknown as ServiceWorkerContainer, reload);
    expect(next.postMessage).toHaveBeenCalledWith({ type: "SKIP_WAITING" });
    expect(reload).not.toHaveBeenCalled();
    container.dispatchEvent(new Event("controllerchange"));
    container.dispatchEvent(new Event("controllerchange"));
    expect(reload).toHaveBeenCalledTimes(1);
    stop();
  });

  it("does not prompt for the first worker (nothing controls the page yet)", () => {
    const first = worker("installed");
    const registration = Object.assign(new FakeTarget(), { waiting: first, installing: null });
    const container = Object.assign(new FakeTarget(), { controller: null });
    const seen: (ServiceWorker | null)[] = [];
    const stop = onUpdateWaiting((w) => seen.push(w));
    seen.length = 0;
    watchRegistration(registration as unknown as ServiceWorkerRegistration, container as unknown as ServiceWorkerContainer);
    expect(seen).toEqual([]);
    stop();
  });
});
