import { useState } from "preact/hooks";
import { login } from "../api";

type Outcome = null | "invalid" | "unreachable";

export function Login({ onLoggedIn }: { onLoggedIn(): void }) {
  const [token, setToken] = useState("");
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setOutcome(null);
    try {
      if (await login(token.trim())) {
        onLoggedIn();
        return;
      }
      setOutcome("invalid");
    } catch {
      setOutcome("unreachable");
    }
    setBusy(false);
  };

  return (
    <main class="login">
      <form class="card" onSubmit={(event) => void submit(event)}>
        <h1>tcf-hub</h1>
        <p class="hint">
          Open the one-time login link that <code>tcf-hub serve</code> printed, or paste the token
          from <code>admin.token</code> in the hub's data directory.
        </p>
        <label for="token">Admin token</label>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="current-password"
          required
          data-testid="token-input"
          value={token}
          onInput={(event) => setToken(event.currentTarget.value)}
          aria-invalid={outcome === "invalid"}
          aria-describedby={outcome ? "login-error" : undefined}
        />
        <button type="submit" data-testid="login-button" disabled={busy}>
          Log in
        </button>
        {outcome && (
          <p id="login-error" class="error" role="alert">
            {outcome === "invalid" ? "Invalid token" : "Could not reach the hub, try again."}
          </p>
        )}
      </form>
    </main>
  );
}
