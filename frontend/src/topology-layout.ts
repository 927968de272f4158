/** A layered layout of the topology for a plain SVG: services | containers | hosts (pure). */

import type { NodeKind, Topology, TopologyEdge, TopologyNode } from "./types";

export const COLUMN_OF: Record<NodeKind, number> = { service: 0, container: 1, host: 2 };
export const COLUMN_WIDTH = 220;
export const ROW_HEIGHT = 56;
export const NODE_WIDTH = 170;
export const NODE_HEIGHT = 36;
const MARGIN = 16;

export interface Placed {
  node: TopologyNode;
  x: number;
  y: number;
}

export interface Layout {
  width: number;
  height: number;
  nodes: Placed[];
  edges: { edge: TopologyEdge; x1: number; y1: number; x2: number; y2: number }[];
}

/**
 * Each kind in its column, sorted so that a container sits near its host and a service near
 * its container (by the host name, then the name); edges join the right side of the source to
 * the left side of the target (or the two sides facing each other within a column).
 */
export function layoutTopology(topology: Topology): Layout {
  const columns: TopologyNode[][] = [[], [], []];
  for (const node of topology.nodes) columns[COLUMN_OF[node.kind]]?.push(node);
  for (const column of columns) {
    column.sort((a, b) => (a.host ?? "").localeCompare(b.host ?? "") || a.name.localeCompare(b.name));
  }
  const placed = new Map<string, Placed>();
  columns.forEach((column, c) =>
    column.forEach((node, row) => {
      placed.set(node.id, { node, x: MARGIN + c * COLUMN_WIDTH, y: MARGIN + row * ROW_HEIGHT });
    }),
  );
  const edges = topology.edges.flatMap((edge) => {
    const from = placed.get(edge.source);
    const to = placed.get(edge.target);
    if (!from || !to) return [];
    const sameColumn = from.x === to.x;
    const forward = from.x <= to.x;
    return [
      {
        edge,
        x1: sameColumn ? from.x : forward ? from.x + NODE_WIDTH : from.x,
        y1: from.y + NODE_HEIGHT / 2,
        x2: sameColumn ? to.x : forward ? to.x : to.x + NODE_WIDTH,
        y2: to.y + NODE_HEIGHT / 2,
      },
    ];
  });
  const rows = Math.max(1, ...columns.map((c) => c.length));
  return {
    width: MARGIN * 2 + 2 * COLUMN_WIDTH + NODE_WIDTH,
    height: MARGIN * 2 + (rows - 1) * ROW_HEIGHT + NODE_HEIGHT,
    nodes: [...placed.values()],
    edges,
  };
}
