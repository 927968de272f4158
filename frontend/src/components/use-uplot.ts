import type { RefObject } from "preact";
import { useEffect, useRef } from "preact/hooks";
import type uPlot from "uplot";

export interface UPlotLoading {
  /** Load uPlot only once the container is on screen (else at mount). */
  whenShown?: boolean;
  /** Called once when that happens (the caller fetches the chart's data then). */
  onShown?: () => void;
}

/**
 * The uPlot lifecycle the charts share: the module loaded on demand (its own chunk), the plot
 * built by `create` in `container`, kept at the container's width, rebuilt when the colour
 * scheme changes (canvas colours are not CSS) and destroyed on unmount. `create` and
 * `loading.onShown` are read when used, so they may change between renders; `whenShown` is
 * read once, at mount.
 */
export function useUPlot(
  container: RefObject<HTMLDivElement>,
  create: (UPlot: typeof uPlot, element: HTMLDivElement) => uPlot,
  height: number,
  loading: UPlotLoading = {},
) {
  const plot = useRef<uPlot | null>(null);
  const make = useRef(create);
  make.current = create;
  const shown = useRef(loading.onShown);
  shown.current = loading.onShown;
  const whenShown = useRef(loading.whenShown ?? false);

  useEffect(() => {
    const element = container.current;
    if (!element) return undefined;
    let disposed = false;
    let UPlot: typeof uPlot | undefined;
    const build = () => {
      if (!UPlot || disposed) return;
      plot.current?.destroy();
      plot.current = make.current(UPlot, element);
    };
    const load = () => {
      shown.current?.();
      void import("uplot").then((module) => {
        UPlot = module.default;
        build();
      });
    };
    let near: IntersectionObserver | undefined;
    if (!whenShown.current || typeof IntersectionObserver === "undefined") load();
    else {
      near = new IntersectionObserver((entries) => {
        if (!entries.some((entry) => entry.isIntersecting)) return;
        near?.disconnect();
        load();
      });
      near.observe(element);
    }
    const resizes = new ResizeObserver(() => {
      const width = element.clientWidth;
      if (plot.current && width > 0 && width !== plot.current.width) plot.current.setSize({ width, height });
    });
    resizes.observe(element);
    const scheme = matchMedia("(prefers-color-scheme: dark)");
    scheme.addEventListener("change", build);
    return () => {
      disposed = true;
      near?.disconnect();
      resizes.disconnect();
      scheme.removeEventListener("change", build);
      plot.current?.destroy();
      plot.current = null;
    };
  }, [container, height]);

  return plot;
}
