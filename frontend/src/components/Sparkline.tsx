/**
 * A tiny SVG line of recent values (no axes). The line bridges the empty buckets a sparse
 * series leaves between its samples (a host reporting every 5 minutes drawn in 1-minute
 * buckets) and breaks at gaps longer than the series' own cadence, which are outages.
 */
export function sparklinePath(values: readonly (number | null)[], width: number, height: number): string {
  const samples = presentSamples(values);
  if (samples.length < 2) return "";
  const numbers = samples.map((s) => s.value);
  const low = Math.min(...numbers);
  const high = Math.max(...numbers);
  const span = high - low || 1;
  const step = width / Math.max(1, values.length - 1);
  const gaps = samples.slice(1).map((s, n) => s.index - (samples[n]?.index ?? 0));
  const longestBridged = median(gaps) * BRIDGE_FACTOR;
  let path = "";
  samples.forEach(({ index, value }, n) => {
    const x = (index * step).toFixed(1);
    const y = (height - 1 - ((value - low) / span) * (height - 2)).toFixed(1);
    const joined = n > 0 && (gaps[n - 1] ?? Infinity) <= longestBridged;
    const joinsNext = (gaps[n] ?? Infinity) <= longestBridged;
    path += `${joined ? "L" : "M"}${x} ${y}`;
    if (!joined && !joinsNext) path += "h0.01"; // A lone sample: a dot (round line caps).
  });
  return path;
}

/** A gap up to this many times the usual spacing of samples is bridged; a longer one breaks. */
const BRIDGE_FACTOR = 1.5;

function presentSamples(values: readonly (number | null)[]): { index: number; value: number }[] {
  const samples: { index: number; value: number }[] = [];
  values.forEach((value, index) => {
    if (value != null && Number.isFinite(value)) samples.push({ index, value });
  });
  return samples;
}

/** The median spacing between consecutive samples: the series' own cadence in buckets. */
function median(gaps: readonly number[]): number {
  const sorted = [...gaps].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? 1;
}

export function Sparkline({ values, label }: { values: readonly (number | null)[]; label: string }) {
  const path = sparklinePath(values, 100, 24);
  return (
    <svg class="spark" viewBox="0 0 100 24" preserveAspectRatio="none" role="img" aria-label={label}>
      {path && <path d={path} vector-effect="non-scaling-stroke" />}
    </svg>
  );
}
