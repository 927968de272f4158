import decodeQR from "@paulmillr/qr/decode.js";
import { describe, expect, it } from "vitest";
import { qrDrawing } from "./qr";

/** Paints the path's rectangles (as qrDrawing writes them) into an RGBA image, `scale` px a module. */
function paint({ size, path }: { size: number; path: string }, scale = 4) {
  const width = size * scale;
  const data = new Uint8Array(width * width * 4).fill(255);
  for (const [, x, y, run] of path.matchAll(/M(\d+) (\d+)h(\d+)v1h-\3z/g)) {
    for (let px = Number(x) * scale; px < (Number(x) + Number(run)) * scale; px++) {
      for (let py = Number(y) * scale; py < (Number(y) + 1) * scale; py++) {
        data.fill(0, (py * width + px) * 4, (py * width + px) * 4 + 3);
      }
    }
  }
  return { width, height: width, data };
}

describe("qrDrawing", () => {
  const uri = "otpauth://totp/tcf-hub:alice?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=tcf-hub";

  it("draws a code another decoder reads back", () => {
    const drawing = qrDrawing(uri);
    expect(decodeQR(paint(drawing))).toBe(uri);
    expect(decodeQR(paint(qrDrawing("HELLO WORLD")))).toBe("HELLO WORLD");
  });

  it("has the size of the version the text needs, with a 4-module quiet zone", () => {
    // Known capacities (ISO/IEC 18004, level M, byte mode): version 1 holds 14 bytes, version 5
    // 84; 21 and 37 modules a side, plus 2 × 4 of quiet zone.
    expect(qrDrawing("HELLO").size).toBe(21 + 8);
    expect(qrDrawing(uri).size).toBe(37 + 8);
    const { path, size } = qrDrawing("HELLO");
    // The top-left finder pattern: a 7-module dark run at the quiet zone's corner.
    expect(path.startsWith("M4 4h7v1h-7z")).toBe(true);
    expect(path).not.toMatch(/M\d+ [0-3] /); // nothing dark in the top quiet zone
    expect(size).toBe(29);
  });
});
