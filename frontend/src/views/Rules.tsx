import { useEffect, useState } from "preact/hooks";
import { fetchRules } from "../api";
import { formatDuration, formatNumber } from "../format";
import type { Rule } from "../types";
import type { HubState } from "../use-hub";

export function RulesView({ hub }: { hub: HubState }) {
  const [rules, setRules] = useState<Rule[] | null>(null);
  useEffect(() => void fetchRules().then(setRules).catch(hub.fail), []);
  if (rules === null) return <p class="empty">Loading…</p>;
  if (rules.length === 0) return <p class="empty">No rules (alerts.yml is empty).</p>;
  return (
    <div class="table-scroll" tabIndex={0} role="region" aria-label="Table, scrolls sideways on small screens">
      <table class="table" data-testid="rules">
        <thead>
          <tr>
            <th scope="col">Rule</th>
            <th scope="col">Condition</th>
            <th scope="col">For</th>
            <th scope="col">Severity</th>
            <th scope="col">Message</th>
          </tr>
        </thead>
        <tbody>
          {rules.map((rule) => (
            <tr key={rule.name}>
              <th scope="row">{rule.name}</th>
              <td>
                <code>
                  {rule.metric} {rule.operator} {formatNumber(rule.threshold)}
                </code>
              </td>
              <td>{rule.duration > 0 ? formatDuration(rule.duration) : "at once"}</td>
              <td>{rule.severity}</td>
              <td>{rule.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
