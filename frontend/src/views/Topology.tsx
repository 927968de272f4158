import { useMemo } from "preact/hooks";
import { NODE_HEIGHT, NODE_WIDTH, layoutTopology } from "../topology-layout";
import { entityPath } from "../router";
import type { HubState } from "../use-hub";

const EDGE_WORDS = { runs_on: "runs on", served_by: "served by", depends_on: "depends on" } as const;

export function TopologyView({ hub }: { hub: HubState }) {
  const layout = useMemo(() => (hub.topology ? layoutTopology(hub.topology) : null), [hub.topology]);
  if (!hub.topology || !layout) return <p class="empty">Loading…</p>;
  if (layout.nodes.length === 0) return <p class="empty">Nothing monitored yet.</p>;
  const names = new Map(hub.topology.nodes.map((n) => [n.id, `${n.kind} ${n.name}`]));
  return (
    <section aria-label="Topology">
      <p class="legend muted">
        Services · containers · hosts. <span class="dot up" /> up <span class="dot degraded" /> degraded{" "}
        <span class="dot down" /> down <span class="dot unknown" /> unknown. Dashed: depends on.
      </p>
      <div class="topology-scroll" tabIndex={0} role="region" aria-label="Topology graph, scrolls sideways on small screens">
        <svg
          class="topology"
          data-testid="topology"
          viewBox={`0 0 ${layout.width} ${layout.height}`}
          width={layout.width}
          height={layout.height}
          role="group"
          aria-label="Topology graph; the same links are listed below"
        >
          <defs>
            <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
              <path d="M 0 0 L 10 5 L 0 10 z" class="arrowhead" />
            </marker>
          </defs>
          {layout.edges.map(({ edge, x1, y1, x2, y2 }) => {
            const bend = x1 === x2 ? -40 : 0;
            return (
              <path
                key={`${edge.source}>${edge.target}`}
                class={`edge ${edge.kind}`}
                d={`M ${x1} ${y1} C ${x1 + bend + (x2 - x1) / 2} ${y1}, ${x2 + bend - (x2 - x1) / 2} ${y2}, ${x2} ${y2}`}
                marker-end="url(#arrow)"
              />
            );
          })}
          {layout.nodes.map(({ node, x, y }) => (
            <a key={node.id} href={entityPath(node.kind, node.name)} class={`node ${node.health}`} data-testid="topology-node">
              <title>{`${node.kind} ${node.name}: ${node.health}${node.reason ? ` (${node.reason})` : ""}`}</title>
              <rect x={x} y={y} width={NODE_WIDTH} height={NODE_HEIGHT} rx={8} />
              <circle cx={x + 14} cy={y + NODE_HEIGHT / 2} r={6} class="health-dot" />
              <text x={x + 28} y={y + NODE_HEIGHT / 2 + 5}>
                {node.name.length > 18 ? `${node.name.slice(0, 17)}…` : node.name}
              </text>
            </a>
          ))}
        </svg>
      </div>
      <h3>Links</h3>
      {hub.topology.edges.length === 0 && <p class="empty">No links: no containers serve the services, and no service depends on another.</p>}
      <ul class="edge-list">
        {hub.topology.edges.map((edge) => (
          <li key={`${edge.source}>${edge.target}`}>
            {names.get(edge.source)} {EDGE_WORDS[edge.kind]} {names.get(edge.target)}
          </li>
        ))}
      </ul>
    </section>
  );
}
