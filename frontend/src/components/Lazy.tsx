import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";

export type ViewComponent<P> = (props: P) => ComponentChildren;

/**
 * A view whose code is fetched when first shown (its own chunk), so the overview does not
 * download and run every view's code. `load` must be a stable (module-level) function.
 */
export function Lazy<P extends object>({ load, props }: { load: () => Promise<ViewComponent<P>>; props: P }) {
  const [View, setView] = useState<ViewComponent<P> | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    setView(null);
    load()
      .then((view) => live && setView(() => view))
      .catch(() => live && setFailed(true));
    return () => {
      live = false;
    };
  }, [load]);
  if (failed) return <p class="banner" role="alert">This view could not be loaded; reload the page.</p>;
  return View ? <View {...props} /> : <p class="empty">Loading…</p>;
}
