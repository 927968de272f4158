/** Hosts, services and containers as the overview and detail views see them (pure). */

import type { EntityKind } from "./router";
import { compareText } from "./format";
import type { Alert, Health, Labels, Sample, Topology } from "./types";

export interface Entity {
  kind: EntityKind;
  name: string;
  health: Health;
  reason: string;
  host: string | null;
  firing: number;
  acknowledged: number;
}

const HEALTH_RANK: Record<Health, number> = { down: 0, degraded: 1, unknown: 2, up: 3 };
const KIND_RANK: Record<EntityKind, number> = { host: 0, service: 1, container: 2 };

/** Whether series or alert labels belong to the entity (a host's own series only for hosts). */
export function belongsTo(labels: Labels, kind: EntityKind, name: string): boolean {
  switch (kind) {
    case "host":
      return labels.host === name && labels.container === undefined && labels.service === undefined;
    case "container":
      return labels.container === name;
    case "service":
      return labels.service === name;
  }
}

/** The selector of an entity's series for `GET /series?match=`. */
export function entitySelector(metric: string, kind: EntityKind, name: string, labels: Labels = {}): string {
  const wanted: Labels = { ...labels, [kind]: name };
  const parts = Object.keys(wanted)
    .sort()
    .map((key) => `${key}="${(wanted[key] ?? "").replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`);
  return `${metric}{${parts.join(",")}}`;
}

/** How bad an entity is, lower is worse: an "up" entity with firing alerts counts as degraded. */
export function badness(entity: Entity): number {
  const rank = HEALTH_RANK[entity.health];
  return entity.firing > 0 ? Math.min(rank, HEALTH_RANK.degraded) : rank;
}

/** Every entity of the topology with its alert counts, worst first. */
export function entitiesOf(topology: Topology | null, alerts: readonly Alert[]): Entity[] {
  if (!topology) return [];
  const entities = topology.nodes.map((node): Entity => {
    const mine = alerts.filter((a) => belongsTo(a.labels, node.kind, node.name));
    return {
      kind: node.kind,
      name: node.name,
      health: node.health,
      reason: node.reason ?? "",
      host: node.host ?? null,
      firing: mine.filter((a) => a.state === "firing").length,
      acknowledged: mine.filter((a) => a.state === "acknowledged").length,
    };
  });
  return entities.sort(
    (a, b) =>
      badness(a) - badness(b) ||
      b.firing - a.firing ||
      KIND_RANK[a.kind] - KIND_RANK[b.kind] ||
      compareText(a.name, b.name),
  );
}

/** The metric a tile shows and draws as a sparkline. */
export const KEY_METRIC: Record<EntityKind, { metric: string; unit: string }> = {
  host: { metric: "cpu_usage", unit: "%" },
  container: { metric: "cpu_usage", unit: "%" },
  service: { metric: "response_time", unit: "ms" },
};

/** The entity's newest value of its key metric. */
export function keyValue(latest: Iterable<Sample>, kind: EntityKind, name: string): number | null {
  const { metric } = KEY_METRIC[kind];
  let found: Sample | null = null;
  for (const sample of latest) {
    if (sample.name !== metric || !belongsTo(sample.labels, kind, name)) continue;
    if (!found || sample.time > found.time) found = sample;
  }
  return found?.value ?? null;
}

/** The series an entity has now: one per metric and label set (its identity label excluded). */
export function seriesOf(latest: Iterable<Sample>, kind: EntityKind, name: string): Sample[] {
  const chosen = [...latest].filter((s) => belongsTo(s.labels, kind, name));
  return chosen.sort((a, b) => compareText(a.name, b.name) || compareText(seriesLabel(a.labels), seriesLabel(b.labels)));
}

const IDENTITY = new Set(["host", "container", "service"]);

/** The labels that tell an entity's series of one metric apart: `mount=/ ` or `direction=rx`. */
export function seriesLabel(labels: Labels): string {
  return Object.keys(labels)
    .filter((key) => !IDENTITY.has(key))
    .sort()
    .map((key) => `${key}=${labels[key]}`)
    .join(" ");
}
