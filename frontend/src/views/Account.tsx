import { useEffect, useState } from "preact/hooks";
import { UnauthorizedError, changePassword, confirmTotp, fetchMe, removeTotp, signOut, startTotp, type TotpEnrolment } from "../api";
import { QrCode } from "../components/QrCode";
import type { Me } from "../types";
import type { HubState } from "../use-hub";

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

type Outcome = { ok: boolean; text: string } | null;

function OutcomeLine({ outcome, testid }: { outcome: Outcome; testid: string }) {
  if (!outcome) return null;
  return outcome.ok ? (
    <p role="status" data-testid={testid}>
      {outcome.text}
    </p>
  ) : (
    <p class="error" role="alert" data-testid={testid}>
      {outcome.text}
    </p>
  );
}

function PasswordSection() {
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [again, setAgain] = useState("");
  const [outcome, setOutcome] = useState<Outcome>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    if (next !== again) {
      setOutcome({ ok: false, text: "The new passwords differ." });
      return;
    }
    try {
      await changePassword(current, next);
      setCurrent("");
      setNext("");
      setAgain("");
      setOutcome({ ok: true, text: "Password changed; your other sessions were signed out." });
    } catch (error) {
      setOutcome({ ok: false, text: describe(error) });
    }
  };
  return (
    <section aria-labelledby="password-heading" class="card">
      <h3 id="password-heading">Password</h3>
      <form class="form" onSubmit={(e) => void submit(e)} data-testid="password-form">
        <label for="current-password">Current password</label>
        <input id="current-password" type="password" required autoComplete="current-password" value={current} onInput={(e) => setCurrent(e.currentTarget.value)} />
        <label for="new-password">New password (10 characters or more)</label>
        <input id="new-password" type="password" required minLength={10} autoComplete="new-password" value={next} onInput={(e) => setNext(e.currentTarget.value)} />
        <label for="new-password-again">New password again</label>
        <input id="new-password-again" type="password" required autoComplete="new-password" value={again} onInput={(e) => setAgain(e.currentTarget.value)} />
        <div>
          <button type="submit">Change password</button>
        </div>
      </form>
      <OutcomeLine outcome={outcome} testid="password-outcome" />
    </section>
  );
}

function TotpSection({ enabled, onChanged }: { enabled: boolean; onChanged(): Promise<void> }) {
  const [enrolment, setEnrolment] = useState<TotpEnrolment | null>(null);
  const [code, setCode] = useState("");
  const [outcome, setOutcome] = useState<Outcome>(null);
  const run = async (call: () => Promise<string>) => {
    setOutcome(null);
    try {
      setOutcome({ ok: true, text: await call() });
    } catch (error) {
      setOutcome({ ok: false, text: describe(error) });
    }
  };
  const confirm = (event: Event) => {
    event.preventDefault();
    void run(async () => {
      await confirmTotp(code.trim());
      setEnrolment(null);
      setCode("");
      await onChanged();
      return "Two-factor sign-in is on: sign-ins now ask for a code.";
    });
  };
  return (
    <section aria-labelledby="totp-heading" class="card" data-testid="totp">
      <h3 id="totp-heading">Two-factor sign-in (TOTP)</h3>
      <p>
        Status: <strong data-testid="totp-state">{enabled ? "on" : "off"}</strong>
      </p>
      <div class="toolbar">
        <button
          type="button"
          data-testid="totp-start"
          onClick={() =>
            void run(async () => {
              setEnrolment(await startTotp());
              return "Scan the QR code (or add the secret) in an authenticator app, then confirm with a code.";
            })
          }
        >
          {enabled ? "Enrol a new phone" : "Turn on"}
        </button>
        {enabled && (
          <button
            type="button"
            class="secondary"
            data-testid="totp-remove"
            onClick={() =>
              void run(async () => {
                await removeTotp();
                setEnrolment(null);
                await onChanged();
                return "Two-factor sign-in is off.";
              })
            }
          >
            Turn off
          </button>
        )}
      </div>
      {enrolment && (
        <>
          <QrCode text={enrolment.uri} label="QR code of the enrolment link: scan it with an authenticator app" />
          <dl class="facts">
            <div>
              <dt>secret</dt>
              <dd>
                <code class="secret" data-testid="totp-secret">
                  {enrolment.secret}
                </code>
              </dd>
            </div>
            <div>
              <dt>link</dt>
              <dd>
                <a class="secret" href={enrolment.uri} data-testid="totp-uri">
                  {enrolment.uri}
                </a>
              </dd>
            </div>
          </dl>
          <form class="toolbar" onSubmit={confirm}>
            <label for="totp-code">Code from the app</label>
            <input
              id="totp-code"
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9 ]{6,8}"
              required
              value={code}
              onInput={(e) => setCode(e.currentTarget.value)}
            />
            <button type="submit" data-testid="totp-confirm">
              Confirm
            </button>
          </form>
        </>
      )}
      <OutcomeLine outcome={outcome} testid="totp-outcome" />
    </section>
  );
}

/** Every signed-in user: who they are, their password and TOTP, and signing out. */
export function AccountView({ hub }: { hub: HubState }) {
  const [me, setMe] = useState<Me | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const load = async () => setMe(await fetchMe());
  useEffect(() => void load().catch(hub.fail), []);

  const leave = async () => {
    setProblem(null);
    try {
      await signOut();
      hub.fail(new UnauthorizedError());
    } catch (error) {
      setProblem(describe(error));
    }
  };

  if (me === null) return <p class="empty">Loading…</p>;
  return (
    <>
      <section aria-labelledby="me-heading" class="card" data-testid="me">
        <h3 id="me-heading">Signed in</h3>
        <dl class="facts">
          <div>
            <dt>as</dt>
            <dd data-testid="me-name">{me.name}</dd>
          </div>
          <div>
            <dt>role</dt>
            <dd data-testid="me-role">{me.role}</dd>
          </div>
        </dl>
        <div class="toolbar">
          <button type="button" data-testid="sign-out" onClick={() => void leave()}>
            Sign out
          </button>
        </div>
        {problem && (
          <p class="error" role="alert">
            {problem}
          </p>
        )}
      </section>
      {me.user === null ? (
        <p class="empty" data-testid="no-account">
          Signed in with a token or a login link, not as a user: there is no password or TOTP to change.
        </p>
      ) : (
        <>
          <PasswordSection />
          <TotpSection enabled={me.totp_enabled} onChanged={load} />
        </>
      )}
    </>
  );
}
