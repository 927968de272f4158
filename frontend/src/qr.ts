/** QR codes drawn locally (uqr's encoder, no network): the TOTP enrolment link for a phone. */

import { encode } from "uqr";

export interface QrDrawing {
  /** Modules per side, quiet zone included (the SVG's viewBox). */
  size: number;
  /** One SVG path of the dark modules, a rectangle per horizontal run. */
  path: string;
}

/** The QR code of `text` (error correction M, a 4-module quiet zone) as an SVG path. */
export function qrDrawing(text: string): QrDrawing {
  const { data, size } = encode(text, { ecc: "M", border: 4 });
  let path = "";
  data.forEach((row, y) => {
    let x = 0;
    while (x < size) {
      if (!row[x]) {
        x += 1;
        continue;
      }
      const start = x;
      while (x < size && row[x]) x += 1;
      path += `M${start} ${y}h${x - start}v1h-${x - start}z`;
    }
  });
  return { size, path };
}
