import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/preact";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { App } from "../components/App";
import { UnauthorizedError } from "../api";
import { FakeEventSource } from "../test/fake-event-source";
import { fakeHub, json, status } from "../test/fake-hub";
import type { Delivery, Me, SessionInfo, User } from "../types";
import type { HubState } from "../use-hub";
import { AccountView } from "./Account";
import { DELIVERY_PAGE, DeliveryLog } from "./DeliveryLog";
import { UsersView } from "./Users";

vi.mock("uplot", () => ({
  default: class {
    setData() {}
    setSize() {}
    destroy() {}
  },
}));

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  history.replaceState(null, "", "/");
});

function fakeHubState(): HubState {
  return {
    host: "h1",
    latest: new Map(),
    chart: { t: [], cpu: [], mem: [] },
    wantChart: () => undefined,
    alerts: [],
    alertsLoaded: true,
    status: "live",
    error: null,
    topology: null,
    staleSince: null,
    updateAlert: vi.fn(),
    fail: vi.fn(),
  };
}

const user = (name: string, role: User["role"] = "viewer", totp = false): User => ({
  name,
  role,
  created_at: "2026-12-01T10:00:00Z",
  totp_enabled: totp,
});

const session = (id: string, principal: string): SessionInfo => ({
  id,
  principal,
  created_at: "2026-12-07T01:00:00Z",
  expires_at: "2026-12-14T01:00:00Z",
});

const me = (overrides: Partial<Me> = {}): Me => ({
  name: "alice",
  role: "viewer",
  kind: "session",
  user: "alice",
  totp_enabled: false,
  ...overrides,
});

describe("UsersView", () => {
  it("lists users and sessions, adds a user with a generated password shown once, resets and removes", async () => {
    let users = [user("admin", "admin"), user("bob")];
    let sessions = [session("h1", "admin"), session("h2", "bob")];
    const api = fakeHub({
      "GET /api/v1/users": () => json(users),
      "GET /api/v1/sessions": () => json(sessions),
      "POST /api/v1/users": (body) => {
        const { name, role } = body as { name: string; role: User["role"] };
        users = [...users, user(name, role)];
        return json({ user: user(name, role), password: "generated-pw-123" }, 201);
      },
      "POST /api/v1/users/bob/password": () => {
        sessions = sessions.filter((s) => s.principal !== "bob");
        return json({ sessions_ended: 1, password: "fresh-pw-456" });
      },
      "DELETE /api/v1/users/bob": () => {
        users = users.filter((u) => u.name !== "bob");
        return status(204);
      },
      "DELETE /api/v1/users/admin/totp": () => {
        users = users.map((u) => (u.name === "admin" ? { ...u, totp_enabled: false } : u));
        return status(204);
      },
      "DELETE /api/v1/sessions/h1": () => {
        sessions = sessions.filter((s) => s.id !== "h1");
        return status(204);
      },
    });
    render(<UsersView hub={fakeHubState()} />);
    await waitFor(() => expect(screen.getAllByTestId("user-row")).toHaveLength(2));
    expect(screen.getAllByTestId("session-row")).toHaveLength(2);

    fireEvent.input(screen.getByLabelText("Name"), { target: { value: " carol " } });
    fireEvent.change(screen.getByLabelText("Role"), { target: { value: "admin" } });
    fireEvent.click(screen.getByText("Add user"));
    await waitFor(() => expect(screen.getByTestId("users-outcome").textContent).toContain("generated-pw-123"));
    expect(api.calls("POST /api/v1/users")).toEqual([{ name: "carol", role: "admin" }]);
    expect(screen.getAllByTestId("user-row").map((r) => r.dataset.user)).toEqual(["admin", "bob", "carol"]);

    fireEvent.click(screen.getByLabelText("Reset password of bob"));
    await waitFor(() => expect(screen.getByTestId("users-outcome").textContent).toContain("fresh-pw-456"));
    expect(screen.getByTestId("users-outcome").textContent).toContain("1 session(s) ended");
    expect(api.calls("POST /api/v1/users/bob/password")).toEqual([{}]);
    await waitFor(() => expect(screen.getAllByTestId("session-row")).toHaveLength(1));

    vi.stubGlobal("confirm", () => false);
    fireEvent.click(screen.getByLabelText("Remove bob"));
    expect(api.calls("DELETE /api/v1/users/bob")).toHaveLength(0);
    vi.stubGlobal("confirm", () => true);
    fireEvent.click(screen.getByLabelText("Remove bob"));
    await waitFor(() => expect(screen.getAllByTestId("user-row")).toHaveLength(2));

    expect(screen.queryByLabelText("Turn off TOTP of admin")).toBeNull();
    users = users.map((u) => (u.name === "admin" ? { ...u, totp_enabled: true } : u));
    // Any action reloads the list, even a refused one (no such route for carol: 404).
    fireEvent.click(screen.getByLabelText("Reset password of carol"));
    await waitFor(() => expect(screen.getByLabelText("Turn off TOTP of admin")).toBeTruthy());
    fireEvent.click(screen.getByLabelText("Turn off TOTP of admin"));
    await waitFor(() => expect(screen.getByTestId("users-outcome").textContent).toContain("TOTP of admin is off"));
    expect(api.calls("DELETE /api/v1/users/admin/totp")).toHaveLength(1);

    fireEvent.click(within(screen.getByTestId("sessions")).getByText("Revoke"));
    await waitFor(() => expect(api.calls("DELETE /api/v1/sessions/h1")).toHaveLength(1));
    await waitFor(() => expect(screen.queryByTestId("sessions")).toBeNull());
    expect(screen.getByText("No live sessions.")).toBeTruthy();
  });

  it("shows the hub's reason when an action is refused", async () => {
    fakeHub({
      "GET /api/v1/users": () => json([user("admin", "admin")]),
      "GET /api/v1/sessions": () => json([]),
      "POST /api/v1/users": () => json({ detail: "password must be at least 10 characters" }, 400),
      "DELETE /api/v1/users/admin": () => json({ detail: "'admin' is the last admin" }, 409),
    });
    vi.stubGlobal("confirm", () => true);
    render(<UsersView hub={fakeHubState()} />);
    fireEvent.input(await screen.findByLabelText("Name"), { target: { value: "dave" } });
    fireEvent.input(screen.getByLabelText("Password"), { target: { value: "short" } });
    fireEvent.click(screen.getByText("Add user"));
    await waitFor(() => expect(screen.getByTestId("users-error").textContent).toContain("at least 10 characters"));
    fireEvent.click(screen.getByLabelText("Remove admin"));
    await waitFor(() => expect(screen.getByTestId("users-error").textContent).toContain("is the last admin"));
  });

  it("tells a viewer that only admins manage users", async () => {
    const hub = fakeHubState();
    fakeHub({ "GET /api/v1/users": () => json({ detail: "admins only" }, 403), "GET /api/v1/sessions": () => status(403) });
    render(<UsersView hub={hub} />);
    expect(await screen.findByText("Only admins manage users and sessions.")).toBeTruthy();
    expect(hub.fail).not.toHaveBeenCalled();
  });
});

describe("AccountView", () => {
  it("changes the password after checking the two new ones match", async () => {
    const api = fakeHub({
      "GET /api/v1/me": () => json(me()),
      "POST /api/v1/me/password": (body) =>
        (body as { current: string }).current === "old password 1" ? status(204) : json({ detail: "the current password is wrong" }, 403),
    });
    render(<AccountView hub={fakeHubState()} />);
    expect((await screen.findByTestId("me-name")).textContent).toBe("alice");
    const fill = (current: string, next: string, again: string) => {
      fireEvent.input(screen.getByLabelText("Current password"), { target: { value: current } });
      fireEvent.input(screen.getByLabelText("New password (10 characters or more)"), { target: { value: next } });
      fireEvent.input(screen.getByLabelText("New password again"), { target: { value: again } });
      fireEvent.submit(screen.getByTestId("password-form"));
    };
    fill("old password 1", "new password 1", "new password 2");
    await waitFor(() => expect(screen.getByTestId("password-outcome").textContent).toBe("The new passwords differ."));
    expect(api.calls("POST /api/v1/me/password")).toHaveLength(0);

    fill("wrong", "new password 1", "new password 1");
    await waitFor(() => expect(screen.getByTestId("password-outcome").textContent).toContain("the current password is wrong"));

    fill("old password 1", "new password 1", "new password 1");
    await waitFor(() => expect(screen.getByTestId("password-outcome").textContent).toContain("Password changed"));
    expect(api.calls("POST /api/v1/me/password").at(-1)).toEqual({ current: "old password 1", new: "new password 1" });
  });

  it("enrols TOTP: shows the secret and the otpauth URI, confirms a code, then turns it off", async () => {
    let enabled = false;
    const api = fakeHub({
      "GET /api/v1/me": () => json(me({ totp_enabled: enabled })),
      "POST /api/v1/me/totp": () => json({ secret: "JBSWY3DPEHPK3PXP", uri: "otpauth://totp/tcf-hub:alice?secret=JBSWY3DPEHPK3PXP" }, 201),
      "PUT /api/v1/me/totp": (body) => {
        if ((body as { code: string }).code !== "123456") return json({ detail: "wrong code: check the phone's clock" }, 400);
        enabled = true;
        return status(204);
      },
      "DELETE /api/v1/me/totp": () => {
        enabled = false;
        return status(204);
      },
    });
    render(<AccountView hub={fakeHubState()} />);
    expect((await screen.findByTestId("totp-state")).textContent).toBe("off");
    expect(screen.queryByTestId("totp-remove")).toBeNull();
    fireEvent.click(screen.getByTestId("totp-start"));
    expect((await screen.findByTestId("totp-secret")).textContent).toBe("JBSWY3DPEHPK3PXP");
    expect(screen.getByTestId("totp-uri").getAttribute("href")).toBe("otpauth://totp/tcf-hub:alice?secret=JBSWY3DPEHPK3PXP");
    // The QR code of that link, drawn from the lazily loaded encoder.
    const qr = await screen.findByTestId("qr-code", {}, { timeout: 5000 }); // a chunk import
    const { qrDrawing } = await import("../qr");
    expect(qr.querySelector("path")?.getAttribute("d")).toBe(qrDrawing("otpauth://totp/tcf-hub:alice?secret=JBSWY3DPEHPK3PXP").path);

    fireEvent.input(screen.getByLabelText("Code from the app"), { target: { value: "000000" } });
    fireEvent.click(screen.getByTestId("totp-confirm"));
    await waitFor(() => expect(screen.getByTestId("totp-outcome").textContent).toContain("wrong code"));
    expect(screen.getByTestId("totp-state").textContent).toBe("off");

    fireEvent.input(screen.getByLabelText("Code from the app"), { target: { value: " 123456 " } });
    fireEvent.click(screen.getByTestId("totp-confirm"));
    await waitFor(() => expect(screen.getByTestId("totp-state").textContent).toBe("on"));
    expect(api.calls("PUT /api/v1/me/totp").at(-1)).toEqual({ code: "123456" });
    expect(screen.queryByTestId("totp-secret")).toBeNull();

    fireEvent.click(screen.getByTestId("totp-remove"));
    await waitFor(() => expect(screen.getByTestId("totp-state").textContent).toBe("off"));
    expect(api.calls("DELETE /api/v1/me/totp")).toHaveLength(1);
  });

  it("signs a token session out without offering a password or TOTP", async () => {
    const hub = fakeHubState();
    const api = fakeHub({
      "GET /api/v1/me": () => json(me({ name: "admin token", role: "admin", kind: "token", user: null })),
      "DELETE /api/v1/session": () => status(204),
    });
    render(<AccountView hub={hub} />);
    expect(await screen.findByTestId("no-account")).toBeTruthy();
    expect(screen.queryByTestId("password-form")).toBeNull();
    expect(screen.queryByTestId("totp")).toBeNull();
    fireEvent.click(screen.getByTestId("sign-out"));
    await waitFor(() => expect(hub.fail).toHaveBeenCalledWith(expect.any(UnauthorizedError)));
    expect(api.calls("DELETE /api/v1/session")).toHaveLength(1);
  });
});

describe("DeliveryLog", () => {
  const delivery = (id: number, channel = "ops", ok = true): Delivery => ({
    id,
    notification_id: id * 10,
    channel,
    at: new Date(1_765_000_000_000 + id * 1000).toISOString(),
    ok,
    outcome: ok ? "sent" : "retry",
    status_code: ok ? 200 : 503,
    error: ok ? null : "HTTP 503",
    duration_ms: 12.4,
  });

  it("pages to older attempts and back, and filters by channel", async () => {
    // 30 attempts, ids 30 (newest) down to 1; "pager" has the odd ones.
    const all = Array.from({ length: 30 }, (_, i) => delivery(30 - i, (30 - i) % 2 ? "pager" : "ops", i !== 0));
    const api = fakeHub({
      "GET /api/v1/notifications/deliveries": (_body, url) => {
        const limit = Number(url.searchParams.get("limit"));
        const before = url.searchParams.get("before");
        const channel = url.searchParams.get("channel");
        const rows = all.filter((d) => (before ? (d.id ?? 0) < Number(before) : true) && (!channel || d.channel === channel));
        return json(rows.slice(0, limit));
      },
    });
    render(<DeliveryLog hub={fakeHubState()} channels={["ops", "pager"]} />);
    const ids = () => screen.getAllByTestId("delivery-row").map((r) => Number(r.dataset.id));
    await waitFor(() => expect(ids()).toHaveLength(DELIVERY_PAGE));
    expect(ids()[0]).toBe(30);
    expect(screen.getAllByTestId("delivery-row")[0]?.textContent).toContain("HTTP 503");
    expect(screen.getByText("Newer")).toHaveProperty("disabled", true);

    fireEvent.click(screen.getByTestId("deliveries-older"));
    await waitFor(() => expect(ids()).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]));
    expect(screen.getByTestId("deliveries-older")).toHaveProperty("disabled", true);
    const lastCall = api.fetch.mock.calls.at(-1)?.[0];
    expect(new URL(String(lastCall), "http://hub.test").searchParams.get("before")).toBe("11");

    fireEvent.click(screen.getByText("Newer"));
    await waitFor(() => expect(ids()[0]).toBe(30));

    fireEvent.change(screen.getByLabelText("Channel"), { target: { value: "pager" } });
    await waitFor(() => expect(ids()).toEqual([29, 27, 25, 23, 21, 19, 17, 15, 13, 11, 9, 7, 5, 3, 1]));
    expect(screen.getByTestId("deliveries-older")).toHaveProperty("disabled", true);
  });

  it("says when there are no attempts yet", async () => {
    fakeHub({ "GET /api/v1/notifications/deliveries": () => json([]) });
    render(<DeliveryLog hub={fakeHubState()} channels={[]} />);
    expect((await screen.findByTestId("deliveries-empty")).textContent).toBe("No delivery attempts yet.");
  });
});

describe("Dashboard navigation", () => {
  beforeEach(() => {
    FakeEventSource.reset();
    vi.stubGlobal("EventSource", FakeEventSource);
  });

  const signedIn = (who: Me) =>
    fakeHub({
      "GET /api/v1/me": () => json(who),
      "GET /api/v1/metrics/current": () => json([]),
      "GET /api/v1/alerts": () => json([]),
      "GET /api/v1/series": () => json([]),
      "DELETE /api/v1/session": () => status(204),
    });

  it("shows Users to admins, and signing out leads to the login form", async () => {
    const api = signedIn(me({ name: "root", role: "admin", user: "root" }));
    history.replaceState(null, "", "/account");
    render(<App />);
    const nav = screen.getByRole("navigation", { name: "Views" });
    await waitFor(() => expect(within(nav).getByText("Users").getAttribute("href")).toBe("/users"));
    expect(within(nav).getByText("Account").getAttribute("aria-current")).toBe("page");
    fireEvent.click(await screen.findByTestId("sign-out"));
    await waitFor(() => expect(screen.queryByTestId("sign-out")).toBeNull());
    expect(api.calls("DELETE /api/v1/session")).toHaveLength(1);
    expect(await screen.findByTestId("password-login-button")).toBeTruthy();
  });

  it("hides Users from viewers", async () => {
    const api = signedIn(me());
    render(<App />);
    const nav = screen.getByRole("navigation", { name: "Views" });
    await waitFor(() => expect(api.calls("GET /api/v1/me").length).toBeGreaterThan(0));
    await waitFor(() => expect(within(nav).getByText("Account")).toBeTruthy());
    expect(within(nav).queryByText("Users")).toBeNull();
  });
});
