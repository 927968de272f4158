import { useEffect, useState } from "preact/hooks";
import { applyUpdate, onUpdateWaiting } from "../sw-update";

/** "A new version is available" with a reload button, while a new service worker waits. */
export function UpdatePrompt() {
  const [waiting, setWaiting] = useState<ServiceWorker | null>(null);
  useEffect(() => onUpdateWaiting(setWaiting), []);
  if (!waiting) return null;
  return (
    <div class="update" role="status" data-testid="update-prompt">
      <span>A new version of the dashboard is available.</span>
      <button type="button" data-testid="update-button" onClick={() => applyUpdate(navigator.serviceWorker, () => location.reload())}>
        Reload
      </button>
    </div>
  );
}
