import { useEffect, useState } from "preact/hooks";
import { ApiError, createUser, fetchSessions, fetchUsers, removeUser, resetPassword, resetUserTotp, revokeSession } from "../api";
import type { SessionInfo, User } from "../types";
import type { HubState } from "../use-hub";

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function when(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: "short", timeStyle: "short" });
}

/** What the last action did, or why it failed (a generated password is shown once here). */
type Outcome = { ok: boolean; text: string } | null;

function OutcomeLine({ outcome }: { outcome: Outcome }) {
  if (!outcome) return null;
  return outcome.ok ? (
    <p role="status" data-testid="users-outcome">
      {outcome.text}
    </p>
  ) : (
    <p class="error" role="alert" data-testid="users-error">
      {outcome.text}
    </p>
  );
}

function AddUser({ onDone }: { onDone(outcome: Outcome): void }) {
  const [name, setName] = useState("");
  const [role, setRole] = useState<User["role"]>("viewer");
  const [password, setPassword] = useState("");
  const submit = async (event: Event) => {
    event.preventDefault();
    try {
      const created = await createUser(name.trim(), role, password || undefined);
      setName("");
      setPassword("");
      onDone({
        ok: true,
        text: created.password
          ? `Added ${created.user.name}; their password (shown only now): ${created.password}`
          : `Added ${created.user.name}.`,
      });
    } catch (error) {
      onDone({ ok: false, text: describe(error) });
    }
  };
  return (
    <form class="form" onSubmit={(e) => void submit(e)} data-testid="add-user">
      <label for="user-name">Name</label>
      <input id="user-name" required autoComplete="off" value={name} onInput={(e) => setName(e.currentTarget.value)} />
      <label for="user-role">Role</label>
      <select id="user-role" value={role} onChange={(e) => setRole(e.currentTarget.value as User["role"])}>
        <option value="viewer">viewer</option>
        <option value="admin">admin</option>
      </select>
      <label for="user-password">Password</label>
      <input
        id="user-password"
        type="password"
        autoComplete="new-password"
        placeholder="empty: generated"
        value={password}
        onInput={(e) => setPassword(e.currentTarget.value)}
      />
      <div>
        <button type="submit">Add user</button>
      </div>
    </form>
  );
}

/** Admins: users (add, remove, reset password) and every live session (revoke). */
export function UsersView({ hub }: { hub: HubState }) {
  const [users, setUsers] = useState<User[] | null>(null);
  const [sessions, setSessions] = useState<SessionInfo[] | null>(null);
  const [forbidden, setForbidden] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(null);

  const load = async () => {
    try {
      const [u, s] = await Promise.all([fetchUsers(), fetchSessions()]);
      setUsers(u);
      setSessions(s);
    } catch (error) {
      if (error instanceof ApiError && error.status === 403) setForbidden(true);
      else hub.fail(error);
    }
  };
  useEffect(() => void load(), []);

  const act = async (call: () => Promise<string>) => {
    setOutcome(null);
    try {
      setOutcome({ ok: true, text: await call() });
    } catch (error) {
      setOutcome({ ok: false, text: describe(error) });
    }
    await load();
  };

  if (forbidden) return <p class="empty">Only admins manage users and sessions.</p>;
  if (users === null || sessions === null) return <p class="empty">Loading…</p>;

  return (
    <>
      <section aria-labelledby="users-heading" class="card">
        <h3 id="users-heading">Users</h3>
        <AddUser onDone={(o) => void load().then(() => setOutcome(o))} />
        <OutcomeLine outcome={outcome} />
        {users.length === 0 ? (
          <p class="empty">No users yet.</p>
        ) : (
          <div class="table-scroll" tabIndex={0} role="region" aria-label="Users, scrolls sideways on small screens">
            <table class="table" data-testid="users">
              <thead>
                <tr>
                  <th scope="col">User</th>
                  <th scope="col">Role</th>
                  <th scope="col">TOTP</th>
                  <th scope="col">Since</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {users.map((user) => (
                  <tr key={user.name} data-testid="user-row" data-user={user.name}>
                    <th scope="row">{user.name}</th>
                    <td>{user.role}</td>
                    <td>{user.totp_enabled ? "on" : "off"}</td>
                    <td>{new Date(user.created_at).toLocaleDateString()}</td>
                    <td class="actions">
                      <button
                        type="button"
                        class="secondary"
                        aria-label={`Reset password of ${user.name}`}
                        onClick={() =>
                          void act(async () => {
                            const reset = await resetPassword(user.name);
                            return `New password for ${user.name} (shown only now): ${reset.password ?? "?"}; ${reset.sessions_ended} session(s) ended.`;
                          })
                        }
                      >
                        Reset password
                      </button>{" "}
                      {user.totp_enabled && (
                        <>
                          <button
                            type="button"
                            class="secondary"
                            aria-label={`Turn off TOTP of ${user.name}`}
                            onClick={() =>
                              void act(async () => {
                                await resetUserTotp(user.name);
                                return `TOTP of ${user.name} is off; they can enrol again after signing in.`;
                              })
                            }
                          >
                            Turn off TOTP
                          </button>{" "}
                        </>
                      )}
                      <button
                        type="button"
                        class="secondary"
                        aria-label={`Remove ${user.name}`}
                        onClick={() => {
                          if (!window.confirm(`Remove ${user.name} and end their sessions?`)) return;
                          void act(async () => {
                            await removeUser(user.name);
                            return `Removed ${user.name}.`;
                          });
                        }}
                      >
                        Remove
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section aria-labelledby="sessions-heading" class="card">
        <h3 id="sessions-heading">Sessions</h3>
        {sessions.length === 0 ? (
          <p class="empty">No live sessions.</p>
        ) : (
          <div class="table-scroll" tabIndex={0} role="region" aria-label="Sessions, scrolls sideways on small screens">
            <table class="table" data-testid="sessions">
              <thead>
                <tr>
                  <th scope="col">Who</th>
                  <th scope="col">Signed in</th>
                  <th scope="col">Expires</th>
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {sessions.map((session) => (
                  <tr key={session.id} data-testid="session-row">
                    <th scope="row">{session.principal}</th>
                    <td>{when(session.created_at)}</td>
                    <td>{when(session.expires_at)}</td>
                    <td>
                      <button
                        type="button"
                        class="secondary"
                        aria-label={`Revoke the session of ${session.principal} from ${when(session.created_at)}`}
                        onClick={() =>
                          void act(async () => {
                            await revokeSession(session.id);
                            return `Revoked a session of ${session.principal}.`;
                          })
                        }
                      >
                        Revoke
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
