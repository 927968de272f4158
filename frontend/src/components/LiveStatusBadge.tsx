import type { LiveStatus } from "../live";

const TEXT: Record<LiveStatus, string> = {
  connecting: "connecting…",
  live: "live",
  reconnecting: "reconnecting…",
};

export function LiveStatusBadge({ status }: { status: LiveStatus }) {
  return (
    <span class={`live-status ${status}`} data-testid="live-status" role="status" title="Live updates">
      <span class="dot" aria-hidden="true" />
      {TEXT[status]}
    </span>
  );
}
