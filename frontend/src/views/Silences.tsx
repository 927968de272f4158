import { useEffect, useState } from "preact/hooks";
import { ApiError, createSilence, expireSilence, fetchSilences } from "../api";
import type { Matcher, Silence } from "../types";
import type { HubState } from "../use-hub";

export function matcherText(m: Matcher): string {
  return `${m.label}${m.op}"${m.value}"`;
}

/** "host=db1, service=~api" → ["host=db1", "service=~api"] (commas or new lines). */
export function parseMatcherInput(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((part) => part.trim())
    .filter(Boolean);
}

export function SilencesView({ hub }: { hub: HubState }) {
  const [silences, setSilences] = useState<Silence[] | null>(null);
  const [matchers, setMatchers] = useState("");
  const [duration, setDuration] = useState("2h");
  const [comment, setComment] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = () => fetchSilences().then(setSilences).catch(hub.fail);
  useEffect(() => void load(), []);

  const create = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      await createSilence({ matchers: parseMatcherInput(matchers), duration, comment });
      setMatchers("");
      setComment("");
      await load();
    } catch (error) {
      if (error instanceof ApiError) setProblem(`The hub refused it (${error.message}): check the matchers and duration.`);
      else hub.fail(error);
    } finally {
      setBusy(false);
    }
  };

  const expire = async (id: string) => {
    try {
      await expireSilence(id);
      await load();
    } catch (error) {
      hub.fail(error);
    }
  };

  return (
    <>
      <form class="card form" onSubmit={(e) => void create(e)} aria-labelledby="new-silence">
        <h3 id="new-silence">New silence</h3>
        <label for="silence-matchers">Matchers (comma separated)</label>
        <input
          id="silence-matchers"
          required
          placeholder='host=db1, alertname="disk_full"'
          value={matchers}
          onInput={(e) => setMatchers(e.currentTarget.value)}
        />
        <label for="silence-duration">Duration</label>
        <input id="silence-duration" required value={duration} onInput={(e) => setDuration(e.currentTarget.value)} placeholder="2h" />
        <label for="silence-comment">Comment</label>
        <input id="silence-comment" required value={comment} onInput={(e) => setComment(e.currentTarget.value)} />
        <button type="submit" disabled={busy} data-testid="create-silence">
          Silence
        </button>
        {problem && (
          <p class="error" role="alert">
            {problem}
          </p>
        )}
      </form>
      <section aria-labelledby="silence-list">
        <h3 id="silence-list">Silences</h3>
        {silences === null ? (
          <p class="empty">Loading…</p>
        ) : silences.length === 0 ? (
          <p class="empty">No silences.</p>
        ) : (
          <ul class="silences">
            {silences.map((s) => (
              <li key={s.id} class={`silence ${s.state}`} data-testid="silence">
                <span class="state">{s.state}</span>{" "}
                <code>{s.matchers.map(matcherText).join(", ")}</code>
                <span class="muted">
                  {" "}
                  until {new Date(s.ends_at).toLocaleString()} by {s.created_by}
                </span>
                {s.comment && <span class="comment"> “{s.comment}”</span>}
                {s.state !== "expired" && (
                  <button type="button" class="secondary" onClick={() => void expire(s.id)} aria-label={`Expire silence ${s.matchers.map(matcherText).join(", ")}`}>
                    Expire
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
