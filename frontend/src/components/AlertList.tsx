import { useEffect, useState } from "preact/hooks";
import { ackAlert, unackAlert } from "../api";
import { canAck } from "../alerts";
import { formatLocalTime, formatNumber, formatRelativeTime, parseTimestamp, severityColor } from "../format";
import type { Alert } from "../types";

interface AlertListProps {
  alerts: readonly Alert[];
  /** `false` while the first fetch is outstanding. */
  loaded?: boolean;
  /** The API answered with the changed alert. */
  onUpdate(alert: Alert): void;
  /** The API call failed (a 401 included: the caller switches to the login form). */
  onError(error: unknown): void;
  /** With both, each row has a checkbox (bulk actions). */
  selected?: ReadonlySet<number>;
  onSelect?(id: number, selected: boolean): void;
}

/** "now" that moves every `intervalMs`, so relative times stay right without new data. */
function useNow(intervalMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

interface RowProps {
  alert: Alert;
  now: number;
  onUpdate(alert: Alert): void;
  onError(error: unknown): void;
  selected?: boolean;
  onSelect?(id: number, selected: boolean): void;
}

function AlertRow({ alert, now, onUpdate, onError, selected, onSelect }: RowProps) {
  const [busy, setBusy] = useState(false);
  const started = parseTimestamp(alert.started_at);
  const labels = Object.entries(alert.labels);
  const message = alert.annotations.message;

  const act = async (call: (id: number) => Promise<Alert>) => {
    setBusy(true);
    try {
      onUpdate(await call(alert.id));
    } catch (error) {
      onError(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <li
      class={`alert ${alert.state}`}
      data-testid="alert-row"
      data-alert-id={String(alert.id)}
      style={{ "--sev": severityColor(alert.severity) }}
    >
      <div class="alert-head">
        {onSelect && (
          <input
            type="checkbox"
            class="select"
            data-testid="alert-select"
            aria-label={`Select alert ${alert.rule} #${alert.id}`}
            checked={selected ?? false}
            onChange={(event) => onSelect(alert.id, event.currentTarget.checked)}
          />
        )}
        <span class="severity">{alert.severity}</span>
        <strong class="rule">
          <a href={`/alerts/${alert.id}`}>{alert.rule}</a>
        </strong>
        <span class="state" data-testid="alert-state">
          {alert.state}
        </span>
      </div>
      {message && <p class="message">{message}</p>}
      {labels.length > 0 && (
        <ul class="labels" aria-label="Labels">
          {labels.map(([key, value]) => (
            <li key={key}>
              {key}={value}
            </li>
          ))}
        </ul>
      )}
      <dl class="facts">
        <div>
          <dt>started</dt>
          <dd>
            <time dateTime={alert.started_at} title={Number.isNaN(started) ? undefined : formatLocalTime(started)}>
              {formatRelativeTime(started, now)}
            </time>
          </dd>
        </div>
        <div>
          <dt>value</dt>
          <dd>{formatNumber(alert.value)}</dd>
        </div>
        {alert.acknowledged_by !== null && (
          <div>
            <dt>acked by</dt>
            <dd>
              <span data-testid="alert-acked-by">{alert.acknowledged_by}</span>
              {alert.ack_comment && <span class="comment"> “{alert.ack_comment}”</span>}
            </dd>
          </div>
        )}
      </dl>
      <div class="actions">
        {canAck(alert) && (
          <button
            type="button"
            data-testid="ack-button"
            aria-label={`Ack alert ${alert.rule} #${alert.id}`}
            disabled={busy}
            onClick={() => void act((id) => ackAlert(id))}
          >
            Ack
          </button>
        )}
        {alert.state === "acknowledged" && (
          <button
            type="button"
            class="secondary"
            data-testid="unack-button"
            aria-label={`Unack alert ${alert.rule} #${alert.id}`}
            disabled={busy}
            onClick={() => void act(unackAlert)}
          >
            Unack
          </button>
        )}
      </div>
    </li>
  );
}

export function AlertList({ alerts, loaded = true, onUpdate, onError, selected, onSelect }: AlertListProps) {
  const now = useNow(15_000);
  if (alerts.length === 0) {
    return <p class="empty">{loaded ? "No alerts." : "Loading alerts…"}</p>;
  }
  return (
    <ul class="alerts">
      {alerts.map((alert) => (
        <AlertRow
          key={alert.id}
          alert={alert}
          now={now}
          onUpdate={onUpdate}
          onError={onError}
          selected={selected?.has(alert.id)}
          onSelect={onSelect}
        />
      ))}
    </ul>
  );
}
