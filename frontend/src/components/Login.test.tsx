import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeHub, json, status } from "../test/fake-hub";
import { Login } from "./Login";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  window.history.replaceState(null, "", "/");
  document.cookie = "tcf_csrf=; max-age=0";
});

const type = (testId: string, value: string) =>
  fireEvent.input(screen.getByTestId(testId), { target: { value } });

/** A hub with user ops (password "correct horse battery"), optionally with TOTP code 123456. */
function hub({ totp = false, locked = false } = {}) {
  return fakeHub({
    "POST /api/v1/session": (body) => {
      const { name, password, code, token } = body as Record<string, string | undefined>;
      if (locked) return new Response(null, { status: 429, headers: { "Retry-After": "900" } });
      if (token !== undefined) return status(token === "s3cret" ? 204 : 401);
      if (name !== "ops" || password !== "correct horse battery") {
        return json({ status_code: 401, detail: "wrong user name or password" }, 401);
      }
      if (totp && code !== "123456") {
        const detail = code ? "wrong or already used code" : "enter the code from your app";
        return json({ status_code: 401, detail, extra: { totp_required: true } }, 401);
      }
      return status(204);
    },
    "POST /api/v1/setup": (body) => {
      const { token } = body as Record<string, string>;
      return token === "link123" ? status(204) : json({ detail: "this setup link is invalid" }, 401);
    },
  });
}

describe("Login", () => {
  it("signs in with name and password", async () => {
    const api = hub();
    const onLoggedIn = vi.fn();
    render(<Login onLoggedIn={onLoggedIn} />);
    type("name-input", "ops");
    type("password-input", "wrong password");
    fireEvent.click(screen.getByTestId("password-login-button"));
    expect(await screen.findByTestId("password-error")).toHaveProperty(
      "textContent",
      "wrong user name or password",
    );
    type("password-input", "correct horse battery");
    fireEvent.click(screen.getByTestId("password-login-button"));
    await waitFor(() => expect(onLoggedIn).toHaveBeenCalledOnce());
    expect(api.calls("POST /api/v1/session")).toEqual([
      { name: "ops", password: "wrong password" },
      { name: "ops", password: "correct horse battery" },
    ]);
  });

  it("asks for the TOTP code only when the hub says one is needed", async () => {
    const api = hub({ totp: true });
    const onLoggedIn = vi.fn();
    render(<Login onLoggedIn={onLoggedIn} />);
    expect(screen.queryByTestId("code-input")).toBeNull();
    type("name-input", "ops");
    type("password-input", "correct horse battery");
    fireEvent.click(screen.getByTestId("password-login-button"));
    await screen.findByTestId("code-input");
    expect(screen.queryByTestId("password-error")).toBeNull(); // a prompt, not an error
    type("code-input", "000000");
    fireEvent.click(screen.getByTestId("password-login-button"));
    expect((await screen.findByTestId("password-error")).textContent).toBe("wrong or already used code");
    type("code-input", "123456");
    fireEvent.click(screen.getByTestId("password-login-button"));
    await waitFor(() => expect(onLoggedIn).toHaveBeenCalledOnce());
    expect(api.calls("POST /api/v1/session").at(-1)).toEqual({
      name: "ops",
      password: "correct horse battery",
      code: "123456",
    });
  });

  it("says how long to wait when sign-in is locked", async () => {
    hub({ locked: true });
    render(<Login onLoggedIn={vi.fn()} />);
    type("name-input", "ops");
    type("password-input", "whatever it is");
    fireEvent.click(screen.getByTestId("password-login-button"));
    expect((await screen.findByTestId("password-error")).textContent).toBe(
      "Too many failed attempts: try again in 900 s.",
    );
  });

  it("keeps signing in with the admin token", async () => {
    const api = hub();
    const onLoggedIn = vi.fn();
    render(<Login onLoggedIn={onLoggedIn} />);
    type("token-input", "s3cret");
    fireEvent.click(screen.getByTestId("login-button"));
    await waitFor(() => expect(onLoggedIn).toHaveBeenCalledOnce());
    expect(api.calls("POST /api/v1/session")).toEqual([{ token: "s3cret" }]);
  });

  it("on first start sets the admin password with the link's token", async () => {
    window.history.replaceState(null, "", "/?setup=link123");
    const api = hub();
    const onLoggedIn = vi.fn();
    render(<Login onLoggedIn={onLoggedIn} />);
    expect(screen.queryByTestId("password-form")).toBeNull();
    type("setup-password", "short");
    type("setup-again", "short");
    fireEvent.submit(screen.getByTestId("setup-form"));
    expect((await screen.findByRole("alert")).textContent).toBe("Use at least 10 characters.");
    type("setup-password", "a long admin password");
    type("setup-again", "a long admin passwore");
    fireEvent.submit(screen.getByTestId("setup-form"));
    expect((await screen.findByRole("alert")).textContent).toBe("The two passwords differ.");
    type("setup-again", "a long admin password");
    fireEvent.submit(screen.getByTestId("setup-form"));
    await waitFor(() => expect(onLoggedIn).toHaveBeenCalledOnce());
    expect(api.calls("POST /api/v1/setup")).toEqual([
      { token: "link123", name: "admin", password: "a long admin password" },
    ]);
    expect(window.location.search).toBe(""); // the spent token leaves the address bar
  });

  it("reports a spent setup link", async () => {
    window.history.replaceState(null, "", "/?setup=old");
    hub();
    render(<Login onLoggedIn={vi.fn()} />);
    type("setup-password", "a long admin password");
    type("setup-again", "a long admin password");
    fireEvent.submit(screen.getByTestId("setup-form"));
    expect((await screen.findByRole("alert")).textContent).toBe("this setup link is invalid");
  });

  it("sends the CSRF cookie's value on writes", async () => {
    document.cookie = "tcf_csrf=abc123";
    const api = fakeHub({ "POST /api/v1/alerts/1/unack": () => json({ id: 1 }) });
    const { unackAlert } = await import("../api");
    await unackAlert(1);
    const init = api.fetch.mock.calls[0]?.[1] as RequestInit;
    expect((init.headers as Record<string, string>)["X-CSRF-Token"]).toBe("abc123");
  });
});
