// Draws the PWA icons into public/icons/ (PNG, no dependencies): `npm run icons`.
// A white pulse line on the hub's blue; the maskable variant keeps the line inside the
// central safe zone (https://web.dev/articles/maskable-icon) and fills the whole square.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { deflateSync } from "node:zlib";

const OUT = join(dirname(fileURLToPath(import.meta.url)), "..", "public", "icons");
const BLUE = [29, 78, 216];
const WHITE = [255, 255, 255];
// The pulse, in unit coordinates of the icon.
const PULSE = [
  [0.14, 0.56], [0.36, 0.56], [0.44, 0.34], [0.54, 0.76], [0.62, 0.44], [0.67, 0.56], [0.86, 0.56],
];
const STROKE = 0.065;
const SAMPLES = 4; // per axis: 16 samples per pixel for smooth edges

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "ascii");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

function png(size, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y += 1) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(raw, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

function distanceToSegment(px, py, [ax, ay], [bx, by]) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

function insideRoundedSquare(x, y, radius) {
  const cx = Math.min(Math.max(x, radius), 1 - radius);
  const cy = Math.min(Math.max(y, radius), 1 - radius);
  return Math.hypot(x - cx, y - cy) <= radius;
}

/** `corner`: corner radius (0 = full square); `scale`: how much of the icon the pulse spans. */
function draw(size, { corner, scale }) {
  const pulse = PULSE.map(([x, y]) => [0.5 + (x - 0.5) * scale, 0.5 + (y - 0.5) * scale]);
  const half = (STROKE * scale) / 2;
  const rgba = Buffer.alloc(size * size * 4);
  for (let y = 0; y < size; y += 1) {
    for (let x = 0; x < size; x += 1) {
      let background = 0;
      let line = 0;
      for (let sy = 0; sy < SAMPLES; sy += 1) {
        for (let sx = 0; sx < SAMPLES; sx += 1) {
          const u = (x + (sx + 0.5) / SAMPLES) / size;
          const v = (y + (sy + 0.5) / SAMPLES) / size;
          if (corner > 0 && !insideRoundedSquare(u, v, corner)) continue;
          background += 1;
          for (let i = 1; i < pulse.length; i += 1) {
            if (distanceToSegment(u, v, pulse[i - 1], pulse[i]) <= half) {
              line += 1;
              break;
            }
          }
        }
      }
      const n = SAMPLES * SAMPLES;
      const mix = background ? line / background : 0;
      const at = (y * size + x) * 4;
      for (let c = 0; c < 3; c += 1) rgba[at + c] = Math.round(BLUE[c] + (WHITE[c] - BLUE[c]) * mix);
      rgba[at + 3] = Math.round((background / n) * 255);
    }
  }
  return png(size, rgba);
}

const ICONS = {
  "icon-192.png": [192, { corner: 0.22, scale: 1 }],
  "icon-512.png": [512, { corner: 0.22, scale: 1 }],
  "icon-maskable-512.png": [512, { corner: 0, scale: 0.7 }],
  "apple-touch-icon.png": [180, { corner: 0, scale: 0.85 }],
};

mkdirSync(OUT, { recursive: true });
for (const [name, [size, style]] of Object.entries(ICONS)) {
  const file = join(OUT, name);
  writeFileSync(file, draw(size, style));
  console.log(`wrote ${file}`);
}
