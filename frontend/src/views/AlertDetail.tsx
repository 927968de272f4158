import { useEffect, useState } from "preact/hooks";
import { ackAlert, createSilence, fetchAlertDetail, fetchBuckets, fetchMaintenance, fetchRules, unackAlert } from "../api";
import { canAck } from "../alerts";
import { BandChart } from "../components/BandChart";
import { formatNumber, formatValue, severityColor } from "../format";
import { shadesFor, type Shade } from "../maintenance";
import { annotationsFor, bandData, type BandData } from "../series-data";
import type { Alert, AlertDetail, Rule } from "../types";
import type { HubState } from "../use-hub";

const SILENCE_FOR = ["1h", "4h", "1d", "7d"] as const;
const AROUND = 3600;

/** The rule's metric around the alert: an hour before it started to an hour after it ended. */
export function windowAround(alert: Alert, now: number): [number, number] {
  const started = Date.parse(alert.started_at) / 1000;
  const ended = alert.resolved_at ? Date.parse(alert.resolved_at) / 1000 : now;
  return [started - AROUND, Math.min(now, ended + AROUND)];
}

/** Matchers that silence exactly this alert: its rule and its labels. */
export function silenceMatchers(alert: Alert): string[] {
  const quote = (v: string) => `"${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
  return [`alertname=${quote(alert.rule)}`, ...Object.entries(alert.labels).map(([k, v]) => `${k}=${quote(v)}`)];
}

/** The alert's series: its labels without those the alert adds (alertname, severity, the rule's). */
export function metricSelector(metric: string, alert: Alert, ruleLabels: Record<string, string> = {}): string {
  const parts = Object.entries(alert.labels)
    .filter(([key]) => key !== "alertname" && key !== "severity" && !(key in ruleLabels))
    .map(([k, v]) => `${k}="${v.replace(/"/g, '\\"')}"`);
  return `${metric}{${parts.join(",")}}`;
}

/** Slack, Discord and email "Acknowledge" links open this page with ?ack=1. It asks rather than
 * acknowledging on load: chat apps fetch links to preview them, and that must not ack. */
export function askedToAck(search: string = location.search): boolean {
  return new URLSearchParams(search).get("ack") === "1";
}

function useRule(hub: HubState, name: string): Rule | null {
  const [rule, setRule] = useState<Rule | null>(null);
  useEffect(() => {
    if (!name) return;
    fetchRules()
      .then((rules: Rule[]) => setRule(rules.find((r) => r.name === name) ?? null))
      .catch(hub.fail);
  }, [name]);
  return rule;
}

export function AlertDetailView({ hub, id }: { hub: HubState; id: number }) {
  const [detail, setDetail] = useState<AlertDetail | null>(null);
  const [missing, setMissing] = useState(false);
  const [comment, setComment] = useState("");
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [chart, setChart] = useState<{ data: BandData; from: number; to: number } | null>(null);
  const [shades, setShades] = useState<Shade[]>([]);
  const live = hub.alerts.find((a) => a.id === id);
  const alert = live ?? detail?.alert;
  const rule = useRule(hub, detail?.alert.rule ?? "");
  const metric = rule?.metric ?? null;
  const unit = [...hub.latest.values()].find((s) => s.name === metric)?.unit ?? "";

  useEffect(() => {
    fetchAlertDetail(id)
      .then(setDetail)
      .catch((error: unknown) => {
        if ((error as { status?: number }).status === 404) setMissing(true);
        else hub.fail(error);
      });
  }, [id, live?.updated_at]);

  useEffect(() => {
    if (!detail || !metric) return;
    const [from, to] = windowAround(detail.alert, Date.now() / 1000);
    fetchBuckets(metricSelector(metric, detail.alert, rule?.labels), from, to, 300)
      .then((series) => {
        const first = series[0];
        if (first) setChart({ data: bandData(first), from, to });
      })
      .catch(hub.fail);
    // The windows that concern this alert (its rule and labels), shaded on its chart.
    const labels = { alertname: detail.alert.rule, severity: detail.alert.severity, ...detail.alert.labels };
    fetchMaintenance(from, to)
      .then((windows) => setShades(shadesFor(windows, labels, from, to)))
      .catch(() => setShades([]));
  }, [detail?.alert.id, metric]);

  if (missing) return <p class="empty">No alert #{id}.</p>;
  if (!alert) return <p class="empty">Loading…</p>;

  const act = async (call: () => Promise<Alert>) => {
    setBusy(true);
    try {
      hub.updateAlert(await call());
      setComment("");
    } catch (error) {
      hub.fail(error);
    } finally {
      setBusy(false);
    }
  };

  const silence = async (duration: string) => {
    setBusy(true);
    try {
      const made = await createSilence({
        matchers: silenceMatchers(alert),
        duration,
        comment: comment.trim() || `silenced from the dashboard (alert #${alert.id})`,
      });
      setNotice(`Silenced for ${duration} (until ${new Date(made.ends_at).toLocaleString()}).`);
    } catch (error) {
      hub.fail(error);
    } finally {
      setBusy(false);
    }
  };

  const runbook = alert.annotations.runbook_url ?? alert.annotations.runbook;
  return (
    <article class="alert-detail" data-testid="alert-detail" style={{ "--sev": severityColor(alert.severity) }}>
      <header class="alert-head">
        <span class="severity">{alert.severity}</span>
        <strong class="rule">{alert.rule}</strong>
        <span class="state" data-testid="alert-state">
          {alert.state}
        </span>
      </header>
      {alert.annotations.message && <p class="message">{alert.annotations.message}</p>}
      <dl class="facts">
        <div>
          <dt>value</dt>
          <dd>{formatNumber(alert.value)}</dd>
        </div>
        {Object.entries(alert.labels).map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
        {alert.acknowledged_by && (
          <div>
            <dt>acked by</dt>
            <dd data-testid="alert-acked-by">
              {alert.acknowledged_by}
              {alert.ack_comment && ` “${alert.ack_comment}”`}
            </dd>
          </div>
        )}
      </dl>
      {runbook && (
        <p>
          <a href={runbook} target="_blank" rel="noopener noreferrer">
            Runbook ↗
          </a>
        </p>
      )}
      <form class="ack-form" onSubmit={(e) => e.preventDefault()}>
        {askedToAck() && canAck(alert) && (
          <p class="notice" role="status" data-testid="ack-asked">
            You followed an Acknowledge link: confirm with the button below.
          </p>
        )}
        <label for="ack-comment">Comment</label>
        <input
          id="ack-comment"
          type="text"
          value={comment}
          maxLength={500}
          onInput={(e) => setComment(e.currentTarget.value)}
          placeholder="What you are doing about it"
        />
        <div class="actions">
          {canAck(alert) && (
            <button type="button" data-testid="ack-button" disabled={busy} autoFocus={askedToAck()} onClick={() => void act(() => ackAlert(alert.id, comment.trim() || undefined))}>
              Acknowledge
            </button>
          )}
          {alert.state === "acknowledged" && (
            <button type="button" class="secondary" data-testid="unack-button" disabled={busy} onClick={() => void act(() => unackAlert(alert.id))}>
              Unacknowledge
            </button>
          )}
          <span class="silence-for" role="group" aria-label="Silence for">
            Silence for
            {SILENCE_FOR.map((d) => (
              <button key={d} type="button" class="secondary" disabled={busy} onClick={() => void silence(d)}>
                {d}
              </button>
            ))}
          </span>
        </div>
        {notice && (
          <p role="status" class="notice">
            {notice}
          </p>
        )}
      </form>
      {chart && metric && (
        <section aria-label={`${metric} around the alert`}>
          <h3>
            {metric} around the alert <span class="muted">({formatValue(alert.value, unit)} when it last changed)</span>
          </h3>
          <BandChart
            label={metric}
            unit={unit}
            data={chart.data}
            annotations={annotationsFor([alert], chart.from, chart.to)}
            shades={shades}
            from={chart.from}
            to={chart.to}
          />
        </section>
      )}
      <section aria-label="History">
        <h3>History</h3>
        <ol class="timeline" data-testid="alert-history">
          {(detail?.history ?? []).map((event, i) => (
            <li key={i}>
              <time dateTime={event.at}>{new Date(event.at).toLocaleString()}</time>{" "}
              <strong>{event.to_state ?? event.kind}</strong>
              {event.from_state && <span class="muted"> from {event.from_state}</span>}
              {event.actor && <span> by {event.actor}</span>}
              {event.comment && <span class="comment"> “{event.comment}”</span>}
              {event.value != null && <span class="muted"> value {formatNumber(event.value)}</span>}
            </li>
          ))}
        </ol>
      </section>
    </article>
  );
}
