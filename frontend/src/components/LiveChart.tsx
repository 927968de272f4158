import { useEffect, useRef } from "preact/hooks";
import type uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { timeWindow, type ChartData } from "../chart-data";
import { useUPlot } from "./use-uplot";

const HEIGHT = 220;

function cssVar(element: Element, name: string, fallback: string): string {
  return getComputedStyle(element).getPropertyValue(name).trim() || fallback;
}

function options(container: HTMLElement, width: number): uPlot.Options {
  const axis = cssVar(container, "--muted", "#666");
  const grid = cssVar(container, "--border", "#ddd");
  const axisStyle = { stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
  return {
    width,
    height: HEIGHT,
    scales: {
      x: { time: true, range: (_u, _min, max) => timeWindow(max, Date.now() / 1000) },
      y: { range: [0, 100] },
    },
    axes: [axisStyle, { ...axisStyle, size: 56, values: (_u, ticks) => ticks.map((v) => `${v}%`) }],
    series: [
      {},
      { label: "CPU", stroke: cssVar(container, "--cpu", "#2563eb"), width: 2, spanGaps: true, value: (_u, v) => (v == null ? "–" : `${v.toFixed(1)}%`) },
      { label: "Memory", stroke: cssVar(container, "--mem", "#9333ea"), width: 2, spanGaps: true, value: (_u, v) => (v == null ? "–" : `${v.toFixed(1)}%`) },
    ],
    cursor: { drag: { x: false, y: false } },
  };
}

function aligned(data: ChartData): uPlot.AlignedData {
  return [data.t, data.cpu, data.mem];
}

/**
 * cpu_usage and memory_usage over the last hour. uPlot is loaded on demand, once the chart
 * scrolls onto the screen, so the tiles and alerts paint before the chart code is parsed; the chart follows the container's width and
 * is rebuilt when the colour scheme changes (canvas colours are not CSS).
 */
export function LiveChart({ data, onShown }: { data: ChartData; onShown?: () => void }) {
  const container = useRef<HTMLDivElement>(null);
  const latest = useRef(data);
  latest.current = data;
  // uPlot is fetched and run only once the chart is on screen: on a phone (where it starts
  // just below the fold) the overview's load does not evaluate it, a 50 KB module.
  const plot = useUPlot(
    container,
    (UPlot, element) => new UPlot(options(element, element.clientWidth), aligned(latest.current), element),
    HEIGHT,
    { whenShown: true, onShown },
  );

  useEffect(() => {
    plot.current?.setData(aligned(data));
  }, [data]);

  return (
    <figure class="chart" data-testid="live-chart" aria-label="CPU and memory usage, last hour">
      {/* uPlot owns this element's children; Preact renders nothing inside it. */}
      <div class="chart-plot" ref={container} />
      {data.t.length === 0 && <figcaption class="chart-empty">Waiting for samples…</figcaption>}
    </figure>
  );
}
