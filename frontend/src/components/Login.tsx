import { useState } from "preact/hooks";
import { login, loginWithPassword, setUpAdmin, type SignIn } from "../api";

const MIN_PASSWORD = 10;

/** The setup token from a first-start login link (`/?setup=…`), if the page was opened by one. */
function setupToken(): string | null {
  return new URLSearchParams(window.location.search).get("setup");
}

function forgetSetupToken() {
  const url = new URL(window.location.href);
  url.searchParams.delete("setup");
  window.history.replaceState(null, "", url.pathname + url.search + url.hash);
}

function message(result: SignIn): string {
  if (result.outcome === "locked") return `Too many failed attempts: try again in ${result.retryAfter} s.`;
  if (result.outcome === "ok") return "";
  return result.detail;
}

/** First start: the one-time link leads here to choose the admin's name and password. */
function SetUp({ token, onLoggedIn }: { token: string; onLoggedIn(): void }) {
  const [name, setName] = useState("admin");
  const [password, setPassword] = useState("");
  const [again, setAgain] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (password.length < MIN_PASSWORD) return setError(`Use at least ${MIN_PASSWORD} characters.`);
    if (password !== again) return setError("The two passwords differ.");
    setBusy(true);
    setError("");
    try {
      const result = await setUpAdmin(token, name.trim(), password);
      if (result.outcome === "ok") {
        forgetSetupToken();
        onLoggedIn();
        return;
      }
      setError(message(result));
    } catch {
      setError("Could not reach the hub, try again.");
    }
    setBusy(false);
  };

  return (
    <main class="login">
      <form class="card" onSubmit={(event) => void submit(event)} data-testid="setup-form">
        <h1>tcf-hub</h1>
        <p class="hint">Welcome. Choose the administrator's name and password.</p>
        <label for="setup-name">Name</label>
        <input id="setup-name" autoComplete="username" required value={name}
          onInput={(event) => setName(event.currentTarget.value)} />
        <label for="setup-password">Password</label>
        <input id="setup-password" type="password" autoComplete="new-password" required
          minLength={MIN_PASSWORD} value={password} data-testid="setup-password"
          onInput={(event) => setPassword(event.currentTarget.value)} />
        <label for="setup-again">Password again</label>
        <input id="setup-again" type="password" autoComplete="new-password" required value={again}
          data-testid="setup-again" onInput={(event) => setAgain(event.currentTarget.value)} />
        <button type="submit" data-testid="setup-button" disabled={busy}>
          Create admin and sign in
        </button>
        {error && <p class="error" role="alert">{error}</p>}
      </form>
    </main>
  );
}

/** User name, password and (when the hub asks) a TOTP code. */
function PasswordForm({ onLoggedIn }: { onLoggedIn(): void }) {
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const [needsCode, setNeedsCode] = useState(false);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError("");
    try {
      const result = await loginWithPassword(name.trim(), password, needsCode ? code.trim() : undefined);
      if (result.outcome === "ok") {
        onLoggedIn();
        return;
      }
      if (result.outcome === "totp") {
        // The first answer only says a code is needed; later ones that the code was wrong.
        if (needsCode) setError(message(result));
        setNeedsCode(true);
        setCode("");
      } else {
        setError(message(result));
      }
    } catch {
      setError("Could not reach the hub, try again.");
    }
    setBusy(false);
  };

  return (
    <form class="card" onSubmit={(event) => void submit(event)} data-testid="password-form">
      <h1>tcf-hub</h1>
      <label for="name">Name</label>
      <input id="name" name="username" autoComplete="username" required value={name}
        data-testid="name-input" onInput={(event) => setName(event.currentTarget.value)} />
      <label for="password">Password</label>
      <input id="password" name="password" type="password" autoComplete="current-password" required
        value={password} data-testid="password-input"
        onInput={(event) => setPassword(event.currentTarget.value)} />
      {needsCode && (
        <>
          <label for="code">Code from your authenticator app</label>
          <input id="code" name="code" inputMode="numeric" autoComplete="one-time-code" required
            pattern="[0-9 ]{6,7}" value={code} data-testid="code-input"
            onInput={(event) => setCode(event.currentTarget.value)} />
        </>
      )}
      <button type="submit" data-testid="password-login-button" disabled={busy}>
        Sign in
      </button>
      {error && (
        <p class="error" role="alert" data-testid="password-error">
          {error}
        </p>
      )}
    </form>
  );
}

type Outcome = null | "invalid" | "unreachable";

/** The admin token from `admin.token`, for the first start without the link, or scripts. */
function TokenForm({ onLoggedIn }: { onLoggedIn(): void }) {
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
    <form class="card" onSubmit={(event) => void submit(event)}>
      <p class="hint">
        Or open the one-time login link that <code>tcf-hub serve</code> printed, or paste the token
        from <code>admin.token</code> in the hub's data directory.
      </p>
      <label for="token">Admin token</label>
      <input
        id="token"
        name="token"
        type="password"
        autoComplete="off"
        required
        data-testid="token-input"
        value={token}
        onInput={(event) => setToken(event.currentTarget.value)}
        aria-invalid={outcome === "invalid"}
        aria-describedby={outcome ? "login-error" : undefined}
      />
      <button type="submit" data-testid="login-button" disabled={busy}>
        Log in with token
      </button>
      {outcome && (
        <p id="login-error" class="error" role="alert">
          {outcome === "invalid" ? "Invalid token" : "Could not reach the hub, try again."}
        </p>
      )}
    </form>
  );
}

export function Login({ onLoggedIn }: { onLoggedIn(): void }) {
  const token = setupToken();
  if (token) return <SetUp token={token} onLoggedIn={onLoggedIn} />;
  return (
    <main class="login">
      <div>
        <PasswordForm onLoggedIn={onLoggedIn} />
        <TokenForm onLoggedIn={onLoggedIn} />
      </div>
    </main>
  );
}
