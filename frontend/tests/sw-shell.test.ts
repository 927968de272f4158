// @vitest-environment node
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderServiceWorker, shellUrls } from "../tools/sw-shell.ts";

const source = readFileSync(new URL("../public/sw.js", import.meta.url), "utf8");

describe("shellUrls", () => {
  it("precaches the page as / plus every built file except the worker and source maps", () => {
    expect(
      shellUrls(["sw.js", "index.html", "assets/index-abc.js", "assets/index-abc.js.map", "manifest.webmanifest", "icons/icon-192.png"]),
    ).toEqual(["/", "/assets/index-abc.js", "/icons/icon-192.png", "/manifest.webmanifest"]);
  });
});

describe("renderServiceWorker", () => {
  it("writes the build's shell and version into public/sw.js", () => {
    const out = renderServiceWorker(source, { version: "abc123", shell: ["/", "/assets/a.js"] });
    expect(out).toContain('const BUILD = {"version":"abc123","shell":["/","/assets/a.js"]};');
    expect(out).not.toContain('version: "dev"');
  });

  it("refuses a worker without the BUILD line instead of shipping a stale shell", () => {
    expect(() => renderServiceWorker("self.addEventListener('fetch', () => {});", { version: "x", shell: [] })).toThrow(
      /BUILD/,
    );
  });
});
