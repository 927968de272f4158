import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/preact";
import { useState } from "preact/hooks";
import { afterEach, describe, expect, it, vi } from "vitest";
import { UnauthorizedError } from "../api";
import { upsertAlert } from "../alerts";
import { alert, fakeHub, json, status } from "../test/fake-hub";
import type { Alert } from "../types";
import { AlertList } from "./AlertList";

/** The list as the dashboard uses it: API answers replace the row. */
function Harness({ initial, onError = () => {} }: { initial: Alert[]; onError?: (e: unknown) => void }) {
  const [alerts, setAlerts] = useState(initial);
  return <AlertList alerts={alerts} onUpdate={(a) => setAlerts((list) => upsertAlert(list, a))} onError={onError} />;
}

const rows = () => screen.getAllByTestId("alert-row");
const row = (id: number) => {
  const found = rows().find((r) => r.dataset.alertId === String(id));
  if (!found) throw new Error(`no row for alert ${id}`);
  return within(found);
};

describe("AlertList", () => {
  afterEach(cleanup);

  it("renders one row per alert with rule, severity, state, labels, age and value", () => {
    render(
      <Harness
        initial={[
          alert({ id: 2, rule: "disk_full", severity: "warning", state: "pending", value: 91.25, labels: { mount: "/" } }),
          alert({ id: 1 }),
        ]}
      />,
    );
    expect(rows().map((r) => r.dataset.alertId)).toEqual(["2", "1"]);
    const first = row(2);
    expect(first.getByText("disk_full")).toBeTruthy();
    expect(first.getByText("warning")).toBeTruthy();
    expect(first.getByTestId("alert-state").textContent).toBe("pending");
    expect(first.getByText("mount=/")).toBeTruthy();
    expect(first.getByText("3 min ago")).toBeTruthy();
    expect(first.getByText("91.25")).toBeTruthy();
  });

  it("offers Ack only for firing and pending alerts", () => {
    render(
      <Harness
        initial={[
          alert({ id: 1, state: "firing" }),
          alert({ id: 2, state: "pending" }),
          alert({ id: 3, state: "resolved" }),
          alert({ id: 4, state: "acknowledged", acknowledged_by: "bob" }),
        ]}
      />,
    );
    expect(row(1).queryByTestId("ack-button")).not.toBeNull();
    expect(row(2).queryByTestId("ack-button")).not.toBeNull();
    expect(row(3).queryByTestId("ack-button")).toBeNull();
    expect(row(4).queryByTestId("ack-button")).toBeNull();
    expect(row(4).getByTestId("alert-acked-by").textContent).toBe("bob");
  });

  it("acks through the API and shows who acked", async () => {
    const hub = fakeHub({
      "POST /api/v1/alerts/1/ack": () =>
        json({
          outcome: "acknowledged",
          alert: alert({ id: 1, state: "acknowledged", acknowledged_by: "alice", acknowledged_at: new Date().toISOString() }),
        }),
    });
    render(<Harness initial={[alert({ id: 1 }), alert({ id: 5, rule: "other" })]} />);

    const button = row(1).getByTestId("ack-button");
    expect(button.textContent).toBe("Ack");
    fireEvent.click(button);

    await waitFor(() => expect(row(1).getByTestId("alert-state").textContent).toBe("acknowledged"));
    expect(row(1).getByTestId("alert-acked-by").textContent).toBe("alice");
    expect(row(1).queryByTestId("ack-button")).toBeNull();
    expect(row(5).getByTestId("alert-state").textContent).toBe("firing");
    expect(hub.calls("POST /api/v1/alerts/1/ack")).toEqual([{}]);
    expect(hub.fetch.mock.calls[0]?.[1]).toMatchObject({ method: "POST", credentials: "same-origin" });
  });

  it("unacks an acknowledged alert", async () => {
    const hub = fakeHub({ "POST /api/v1/alerts/4/unack": () => json(alert({ id: 4, state: "firing" })) });
    render(<Harness initial={[alert({ id: 4, state: "acknowledged", acknowledged_by: "bob" })]} />);
    fireEvent.click(row(4).getByTestId("unack-button"));
    await waitFor(() => expect(row(4).getByTestId("alert-state").textContent).toBe("firing"));
    expect(row(4).queryByTestId("alert-acked-by")).toBeNull();
    expect(hub.calls("POST /api/v1/alerts/4/unack")).toHaveLength(1);
  });

  it("reports a 401 on ack so the app can show the login form", async () => {
    fakeHub({ "POST /api/v1/alerts/1/ack": () => status(401) });
    const onError = vi.fn();
    render(<Harness initial={[alert({ id: 1 })]} onError={onError} />);
    fireEvent.click(row(1).getByTestId("ack-button"));
    await waitFor(() => expect(onError).toHaveBeenCalledTimes(1));
    expect(onError.mock.calls[0]?.[0]).toBeInstanceOf(UnauthorizedError);
    expect(row(1).getByTestId("alert-state").textContent).toBe("firing");
    expect((row(1).getByTestId("ack-button") as HTMLButtonElement).disabled).toBe(false);
  });

  it("says so when there are no alerts", () => {
    render(<Harness initial={[]} />);
    expect(screen.getByText("No alerts.")).toBeTruthy();
  });
});
