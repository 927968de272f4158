import type { ComponentChildren } from "preact";
import { formatBytesPerSecond, formatNumber, formatPercent } from "../format";
import type { HostSnapshot } from "../metrics";

interface TileProps {
  testId: string;
  title: string;
  detail?: string;
  /** 0–100: draws a usage bar under the value. */
  percent?: number | null;
  children: ComponentChildren;
}

function Tile({ testId, title, detail, percent, children }: TileProps) {
  const bar = percent === undefined ? null : Math.min(100, Math.max(0, percent ?? 0));
  return (
    <li class="tile" data-testid={testId}>
      <span class="tile-title">
        {title}
        {detail && <span class="tile-detail"> {detail}</span>}
      </span>
      <span class="tile-value" data-testid="metric-value">
        {children}
      </span>
      {bar !== null && (
        <span class="tile-bar" aria-hidden="true">
          <span class={bar >= 90 ? "tile-fill hot" : "tile-fill"} style={{ width: `${bar}%` }} />
        </span>
      )}
    </li>
  );
}

export function MetricTiles({ snapshot }: { snapshot: HostSnapshot }) {
  const { cpu, memory, load1, disks, rx, tx } = snapshot;
  return (
    <ul class="tiles" aria-label="Host metrics">
      <Tile testId="metric-cpu_usage" title="CPU" percent={cpu}>
        {formatPercent(cpu)}
      </Tile>
      <Tile testId="metric-memory_usage" title="Memory" percent={memory}>
        {formatPercent(memory)}
      </Tile>
      <Tile testId="metric-system_load" title="Load" detail="1 min">
        {formatNumber(load1)}
      </Tile>
      <Tile testId="metric-network_io" title="Network">
        <span class="rate">
          <abbr title="received">rx</abbr> {formatBytesPerSecond(rx)}
        </span>{" "}
        <span class="rate">
          <abbr title="sent">tx</abbr> {formatBytesPerSecond(tx)}
        </span>
      </Tile>
      {disks.map(({ mount, value }) => (
        <Tile key={mount} testId={`metric-disk_usage-${mount}`} title="Disk" detail={mount} percent={value}>
          {formatPercent(value)}
        </Tile>
      ))}
    </ul>
  );
}
