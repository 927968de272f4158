/**
 * Vite plugin: after the build, write the app-shell list and a content hash into dist/sw.js
 * (copied there verbatim from public/), so the service worker precaches exactly this build.
 */
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import type { Plugin, ResolvedConfig } from "vite";

export interface ShellBuild {
  version: string;
  shell: string[];
}

const BUILD_LINE = /^const BUILD = .*;$/m;
const NOT_SHELL = [/^sw\.js$/, /\.map$/];

/** Files of the output dir (relative, "/"-separated) → the URLs the worker precaches. */
export function shellUrls(files: readonly string[]): string[] {
  return files
    .filter((file) => !NOT_SHELL.some((pattern) => pattern.test(file)))
    .map((file) => (file === "index.html" ? "/" : `/${file}`))
    .sort();
}

/** Replace the `const BUILD = …;` line of the worker source; fails loudly if it is missing. */
export function renderServiceWorker(source: string, build: ShellBuild): string {
  if (!BUILD_LINE.test(source)) throw new Error("sw.js: no `const BUILD = …;` line to replace");
  return source.replace(BUILD_LINE, () => `const BUILD = ${JSON.stringify(build)};`);
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join("/"));
}

export function swShell(): Plugin {
  let outDir = "";
  return {
    name: "tcf-hub-sw-shell",
    apply: "build",
    configResolved(config: ResolvedConfig) {
      outDir = resolve(config.root, config.build.outDir);
    },
    closeBundle() {
      const files = listFiles(outDir);
      const shell = shellUrls(files);
      // The version hashes every shell file's bytes: any change makes a new worker and cache.
      const hash = createHash("sha256");
      for (const url of shell) {
        const file = url === "/" ? "index.html" : url.slice(1);
        hash.update(url).update(readFileSync(join(outDir, file)));
      }
      const worker = join(outDir, "sw.js");
      const build = { version: hash.digest("hex").slice(0, 16), shell };
      writeFileSync(worker, renderServiceWorker(readFileSync(worker, "utf8"), build));
    },
  };
}
