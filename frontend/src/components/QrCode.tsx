import { useEffect, useState } from "preact/hooks";
import type { QrDrawing } from "../qr";

/**
 * `text` as a QR code, drawn here (no network). The encoder is its own chunk, fetched when a
 * code is first shown, so no other view pays for it; dark modules on white in both themes
 * (scanners expect that).
 */
export function QrCode({ text, label }: { text: string; label: string }) {
  const [drawing, setDrawing] = useState<QrDrawing | null>(null);
  useEffect(() => {
    let live = true;
    setDrawing(null);
    import("../qr")
      .then(({ qrDrawing }) => live && setDrawing(qrDrawing(text)))
      .catch(() => undefined); // the secret and the link beside it still work
    return () => {
      live = false;
    };
  }, [text]);
  if (!drawing) return <div class="qr" aria-hidden="true" />;
  return (
    <svg class="qr" viewBox={`0 0 ${drawing.size} ${drawing.size}`} role="img" aria-label={label} data-testid="qr-code" shape-rendering="crispEdges">
      <rect width={drawing.size} height={drawing.size} fill="#fff" />
      <path d={drawing.path} fill="#000" />
    </svg>
  );
}
