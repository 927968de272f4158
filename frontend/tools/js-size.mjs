// Reports the gzipped size of the built JavaScript and fails when it exceeds the budget
// (ARCHITECTURE.md: dashboard JS <= 100 KB gzipped). Run after `vite build`.
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const BUDGET = 100 * 1024;
const dist = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "hub", "web", "dist");

const files = readdirSync(dist, { recursive: true, withFileTypes: true })
  .filter((entry) => entry.isFile() && entry.name.endsWith(".js"))
  .map((entry) => join(entry.parentPath, entry.name))
  .sort();

let total = 0;
for (const file of files) {
  const bytes = readFileSync(file);
  const gzipped = gzipSync(bytes, { level: 9 }).length;
  total += gzipped;
  console.log(`${relative(dist, file).padEnd(40)} ${(bytes.length / 1024).toFixed(1).padStart(7)} KB  gzip ${(gzipped / 1024).toFixed(1).padStart(6)} KB`);
}
console.log(`total JS gzipped: ${(total / 1024).toFixed(1)} KB (budget ${BUDGET / 1024} KB)`);
if (total > BUDGET) {
  console.error("JS budget exceeded");
  process.exit(1);
}
