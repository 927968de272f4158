import { describe, expect, it } from "vitest";
import { COLUMN_WIDTH, NODE_WIDTH, layoutTopology } from "./topology-layout";

describe("layoutTopology", () => {
  it("puts services, containers and hosts in columns and joins facing sides", () => {
    const layout = layoutTopology({
      nodes: [
        { id: "host:a", kind: "host", name: "a", health: "up" },
        { id: "container:a/db", kind: "container", name: "db", health: "up", host: "a" },
        { id: "service:api", kind: "service", name: "api", health: "down" },
        { id: "service:db", kind: "service", name: "db", health: "up" },
      ],
      edges: [
        { source: "container:a/db", target: "host:a", kind: "runs_on" },
        { source: "service:db", target: "container:a/db", kind: "served_by" },
        { source: "service:api", target: "service:db", kind: "depends_on" },
        { source: "service:api", target: "service:gone", kind: "depends_on" },
      ],
    });
    const at = Object.fromEntries(layout.nodes.map((p) => [p.node.id, [p.x, p.y]]));
    expect(at["service:api"]?.[0]).toBe(at["service:db"]?.[0]);
    expect(at["container:a/db"]?.[0]).toBe((at["service:api"]?.[0] ?? 0) + COLUMN_WIDTH);
    expect(at["host:a"]?.[0]).toBe((at["service:api"]?.[0] ?? 0) + 2 * COLUMN_WIDTH);
    expect(layout.edges).toHaveLength(3); // the edge to a node not shown is dropped
    const runsOn = layout.edges.find((e) => e.edge.kind === "runs_on");
    expect(runsOn?.x1).toBe((at["container:a/db"]?.[0] ?? 0) + NODE_WIDTH);
    expect(runsOn?.x2).toBe(at["host:a"]?.[0]);
    const dependsOn = layout.edges.find((e) => e.edge.kind === "depends_on");
    expect(dependsOn?.x1).toBe(dependsOn?.x2); // same column: left side to left side
    expect(layout.width).toBeGreaterThan(2 * COLUMN_WIDTH + NODE_WIDTH);
  });
});
