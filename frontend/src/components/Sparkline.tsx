/** A tiny SVG line of recent values (no axes); gaps where values are missing. */
export function sparklinePath(values: readonly (number | null)[], width: number, height: number): string {
  const present = values.filter((v): v is number => v != null && Number.isFinite(v));
  if (present.length < 2) return "";
  const low = Math.min(...present);
  const high = Math.max(...present);
  const span = high - low || 1;
  const step = width / Math.max(1, values.length - 1);
  let path = "";
  let pen = false;
  values.forEach((value, i) => {
    if (value == null || !Number.isFinite(value)) {
      pen = false;
      return;
    }
    const x = (i * step).toFixed(1);
    const y = (height - 1 - ((value - low) / span) * (height - 2)).toFixed(1);
    path += `${pen ? "L" : "M"}${x} ${y}`;
    pen = true;
  });
  return path;
}

export function Sparkline({ values, label }: { values: readonly (number | null)[]; label: string }) {
  const path = sparklinePath(values, 100, 24);
  return (
    <svg class="spark" viewBox="0 0 100 24" preserveAspectRatio="none" role="img" aria-label={label}>
      {path && <path d={path} vector-effect="non-scaling-stroke" />}
    </svg>
  );
}
