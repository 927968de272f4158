import { describe, expect, it } from "vitest";
import { mergeAlerts, upsertAlert } from "./alerts";
import { alert as makeAlert } from "./test/fake-hub";

const at = (seconds: number) => new Date(Date.UTC(2026, 10, 26, 12, 0, seconds)).toISOString();

describe("upsertAlert", () => {
  it("replaces an alert with a newer copy and puts unknown alerts first", () => {
    const list = [makeAlert({ id: 1, updated_at: at(0) })];
    const acked = makeAlert({ id: 1, state: "acknowledged", updated_at: at(5) });
    expect(upsertAlert(list, acked)[0]?.state).toBe("acknowledged");
    const other = makeAlert({ id: 2, updated_at: at(1) });
    expect(upsertAlert(list, other).map((a) => a.id)).toEqual([2, 1]);
  });

  it("never lets an older copy replace a newer one", () => {
    const list = [makeAlert({ id: 1, state: "acknowledged", updated_at: at(5) })];
    const stale = makeAlert({ id: 1, state: "firing", updated_at: at(2) });
    expect(upsertAlert(list, stale)[0]?.state).toBe("acknowledged");
  });
});

describe("mergeAlerts", () => {
  it("keeps the same list when a refetch brings nothing new (no re-render)", () => {
    const shown = [makeAlert({ id: 2, updated_at: at(3) }), makeAlert({ id: 1, updated_at: at(1) })];
    const fetched = shown.map((a) => ({ ...a }));
    expect(mergeAlerts(shown, fetched)).toBe(shown);
    expect(mergeAlerts(shown, [fetched[0]!])).not.toBe(shown);
    expect(mergeAlerts(shown, [{ ...fetched[0]!, updated_at: at(9), state: "resolved" }, fetched[1]!])).not.toBe(shown);
  });

  it("keeps an ack made while a refetch was in flight", () => {
    const shown = [makeAlert({ id: 1, state: "acknowledged", updated_at: at(5) })];
    const fetched = [makeAlert({ id: 1, state: "firing", updated_at: at(2) })];
    expect(mergeAlerts(shown, fetched)[0]?.state).toBe("acknowledged");
  });

  it("takes newer fetched copies and drops alerts the server no longer has", () => {
    const shown = [
      makeAlert({ id: 1, state: "firing", updated_at: at(1) }),
      makeAlert({ id: 2, state: "pending", updated_at: at(1) }),
    ];
    const fetched = [makeAlert({ id: 1, state: "resolved", updated_at: at(9) })];
    const merged = mergeAlerts(shown, fetched);
    expect(merged.map((a) => [a.id, a.state])).toEqual([[1, "resolved"]]);
  });

  it("keeps an alert that appeared after the fetch's snapshot", () => {
    const shown = [makeAlert({ id: 3, updated_at: at(20) })];
    const fetched = [makeAlert({ id: 1, updated_at: at(10) })];
    expect(mergeAlerts(shown, fetched).map((a) => a.id)).toEqual([3, 1]);
  });
});
