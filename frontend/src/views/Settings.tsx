import { useEffect, useState } from "preact/hooks";
import { deletePushSubscription, fetchAbout, fetchChannels, fetchPushSubscriptions, testChannel } from "../api";
import { formatBytes, formatDuration } from "../format";
import { disablePush, enablePush, pushState } from "../push";
import type { About, Channel, PushSubscriptionInfo } from "../types";
import type { HubState } from "../use-hub";
import { DeliveryLog } from "./DeliveryLog";

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function AboutSection({ hub }: { hub: HubState }) {
  const [about, setAbout] = useState<About | null>(null);
  useEffect(() => void fetchAbout().then(setAbout).catch(hub.fail), []);
  return (
    <section aria-labelledby="about-heading" class="card">
      <h3 id="about-heading">About</h3>
      {about ? (
        <dl class="facts" data-testid="about">
          <div>
            <dt>version</dt>
            <dd data-testid="about-version">{about.version}</dd>
          </div>
          <div>
            <dt>uptime</dt>
            <dd>{formatDuration(about.uptime_seconds)}</dd>
          </div>
          <div>
            <dt>store</dt>
            <dd>
              {about.store_backend}
              {about.store_bytes !== null && `, ${formatBytes(about.store_bytes)}`}
            </dd>
          </div>
          <div>
            <dt>theme</dt>
            <dd>follows the system (light or dark)</dd>
          </div>
        </dl>
      ) : (
        <p class="empty">Loading…</p>
      )}
    </section>
  );
}

/** Push on this device and the other registered devices; hidden without Push or a push API. */
function PushSection({ hub }: { hub: HubState }) {
  const supported = typeof window !== "undefined" && "PushManager" in window;
  const [devices, setDevices] = useState<PushSubscriptionInfo[] | null>(null);
  const [state, setState] = useState<string>("…");
  const [name, setName] = useState(() => (typeof navigator === "undefined" ? "" : navigator.platform || "this device"));
  const [problem, setProblem] = useState<string | null>(null);

  const load = async () => {
    setDevices(await fetchPushSubscriptions());
    setState(await pushState());
  };
  useEffect(() => {
    if (supported) load().catch(hub.fail);
  }, []);
  if (!supported || devices === null) return null;

  const run = async (call: () => Promise<unknown>) => {
    setProblem(null);
    try {
      await call();
      await load();
    } catch (error) {
      setProblem(describe(error));
    }
  };

  return (
    <section aria-labelledby="push-heading" class="card" data-testid="push-devices">
      <h3 id="push-heading">Push devices</h3>
      <p>
        This device: <strong data-testid="push-state">{state}</strong>
      </p>
      <div class="toolbar">
        <label for="push-name">Device name</label>
        <input id="push-name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <button type="button" data-testid="push-enable" onClick={() => void run(() => enablePush(name.trim() || "this device"))}>
          Enable push here
        </button>
        <button type="button" class="secondary" onClick={() => void run(() => disablePush())}>
          Disable push here
        </button>
      </div>
      {problem && (
        <p class="error" role="alert">
          {problem}
        </p>
      )}
      {devices.length === 0 ? (
        <p class="empty">No devices receive push notifications.</p>
      ) : (
        <ul class="devices">
          {devices.map((d) => (
            <li key={String(d.id)}>
              {d.name ?? `device ${d.id}`}
              {d.created_at && <span class="muted"> since {new Date(d.created_at).toLocaleDateString()}</span>}{" "}
              <button type="button" class="secondary" onClick={() => void run(() => deletePushSubscription(d.id))}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Notification channels with "send test"; hidden when the hub has no channels API. */
function ChannelsSection({ hub }: { hub: HubState }) {
  const [channels, setChannels] = useState<Channel[] | null>(null);
  const [results, setResults] = useState<Record<string, string>>({});
  // Bumped after each test send, so the delivery log shows the new attempt.
  const [sent, setSent] = useState(0);
  useEffect(() => void fetchChannels().then(setChannels).catch(hub.fail), []);
  if (channels === null) return null;

  const test = async (name: string) => {
    setResults((r) => ({ ...r, [name]: "sending…" }));
    try {
      // The hub answers 200 with the attempt, also when the channel refused it.
      const attempt = await testChannel(name);
      const outcome = attempt.ok === false ? `failed: ${attempt.error ?? "the channel refused it"}` : "sent";
      setResults((r) => ({ ...r, [name]: outcome }));
    } catch (error) {
      setResults((r) => ({ ...r, [name]: `failed: ${describe(error)}` }));
    }
    setSent((n) => n + 1);
  };

  return (
    <>
      <section aria-labelledby="channels-heading" class="card" data-testid="channels">
        <h3 id="channels-heading">Channels</h3>
        {channels.length === 0 ? (
          <p class="empty">No channels configured (monitoring.yml, channels:).</p>
        ) : (
          <ul class="devices">
            {channels.map((c) => (
              <li key={c.name}>
                <strong>{c.name}</strong> <span class="muted">{c.type}</span>{" "}
                <button type="button" class="secondary" onClick={() => void test(c.name)}>
                  Send test
                </button>{" "}
                {results[c.name] && <span role="status">{results[c.name]}</span>}
              </li>
            ))}
          </ul>
        )}
      </section>
      <DeliveryLog hub={hub} channels={channels.map((c) => c.name)} refresh={sent} />
    </>
  );
}

export function SettingsView({ hub }: { hub: HubState }) {
  return (
    <>
      <AboutSection hub={hub} />
      <PushSection hub={hub} />
      <ChannelsSection hub={hub} />
    </>
  );
}
