import { useEffect, useRef } from "preact/hooks";
import type uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { formatValue } from "../format";
import type { Shade } from "../maintenance";
import type { Annotation, BandData } from "../series-data";
import { useUPlot } from "./use-uplot";

const HEIGHT = 200;

function cssVar(element: Element, name: string, fallback: string): string {
  return getComputedStyle(element).getPropertyValue(name).trim() || fallback;
}

export interface BandChartProps {
  label: string;
  unit: string;
  data: BandData;
  annotations: readonly Annotation[];
  /** Maintenance occurrences, shaded behind the lines (unix seconds). */
  shades?: readonly Shade[];
  /** The shown range (unix seconds); the x scale always spans it. */
  from: number;
  to: number;
  /** A drag selected [from, to] (zoom in). */
  onZoom?(from: number, to: number): void;
}

const MARK_COLORS: Record<Annotation["kind"], string> = {
  started: "--sev-warning",
  fired: "--sev-critical",
  acknowledged: "--accent",
  resolved: "--ok",
};

function options(element: HTMLElement, width: number, props: { current: BandChartProps }): uPlot.Options {
  const { unit, label } = props.current;
  const axis = cssVar(element, "--muted", "#666");
  const grid = cssVar(element, "--border", "#ddd");
  const line = cssVar(element, "--cpu", "#2563eb");
  const previous = cssVar(element, "--muted", "#888");
  const axisStyle = { stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
  const show = (_u: uPlot, v: number | null) => (v == null ? "–" : formatValue(v, unit));
  return {
    width,
    height: HEIGHT,
    scales: { x: { time: true, range: () => [props.current.from, props.current.to] } },
    axes: [axisStyle, { ...axisStyle, size: 64, values: (_u, ticks) => ticks.map((v) => formatValue(v, unit)) }],
    series: [
      {},
      // Buckets can be narrower than the collection interval: empty ones are bridged.
      { label: "min", stroke: "transparent", points: { show: false }, spanGaps: true, value: show },
      { label, stroke: line, width: 2, spanGaps: true, value: show },
      { label: "max", stroke: "transparent", points: { show: false }, spanGaps: true, value: show },
      { label: "last week", stroke: previous, width: 1, dash: [4, 4], spanGaps: true, value: show },
    ],
    bands: [{ series: [3, 1], fill: `${line}33` }],
    cursor: { drag: { x: true, y: false, setScale: false } },
    hooks: {
      setSelect: [
        (u) => {
          if (u.select.width < 2) return;
          const from = u.posToVal(u.select.left, "x");
          const to = u.posToVal(u.select.left + u.select.width, "x");
          u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          props.current.onZoom?.(from, to);
        },
      ],
      drawClear: [
        (u) => {
          const shades = props.current.shades ?? [];
          if (shades.length === 0) return;
          const ctx = u.ctx;
          ctx.save();
          ctx.fillStyle = cssVar(element, "--maintenance", "rgba(124, 58, 237, 0.14)");
          for (const shade of shades) {
            const left = Math.max(u.bbox.left, u.valToPos(shade.from, "x", true));
            const right = Math.min(u.bbox.left + u.bbox.width, u.valToPos(shade.to, "x", true));
            if (right > left) ctx.fillRect(left, u.bbox.top, right - left, u.bbox.height);
          }
          ctx.restore();
        },
      ],
      draw: [
        (u) => {
          const ctx = u.ctx;
          ctx.save();
          ctx.lineWidth = 2 * devicePixelRatio;
          for (const mark of props.current.annotations) {
            const x = u.valToPos(mark.t, "x", true);
            if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
            ctx.strokeStyle = cssVar(element, MARK_COLORS[mark.kind], "#c00");
            ctx.beginPath();
            ctx.moveTo(x, u.bbox.top);
            ctx.lineTo(x, u.bbox.top + u.bbox.height);
            ctx.stroke();
          }
          ctx.restore();
        },
      ],
    },
  };
}

function aligned(data: BandData): uPlot.AlignedData {
  return [data.t, data.min, data.avg, data.max, data.previous];
}

/**
 * One metric over the chosen range: average line, min–max band, last week dashed, alert
 * transitions as vertical marks, maintenance shaded (with a legend entry); drag to zoom. uPlot is loaded on demand.
 */
export function BandChart(props: BandChartProps) {
  const container = useRef<HTMLDivElement>(null);
  const latest = useRef(props);
  latest.current = props;
  const plot = useUPlot(
    container,
    (UPlot, element) => new UPlot(options(element, element.clientWidth || 300, latest), aligned(latest.current.data), element),
    HEIGHT,
  );

  useEffect(() => {
    plot.current?.setData(aligned(props.data));
  }, [props.data, props.from, props.to, props.annotations, props.shades]);

  const shaded = [...new Set((props.shades ?? []).map((s) => s.label))];
  return (
    <>
      <div class="chart-plot" ref={container} data-testid="band-chart-plot" />
      {shaded.length > 0 && (
        <p class="chart-legend" data-testid="maintenance-legend">
          <span class="swatch maintenance" aria-hidden="true" /> maintenance: {shaded.join(", ")}
        </p>
      )}
    </>
  );
}
