import { defineConfig } from "vitest/config";
import { swShell } from "./tools/sw-shell.ts";

// The hub during `npm run dev` (tcf-hub serve's default address).
const HUB = process.env.TCF_HUB_URL ?? "http://127.0.0.1:3001";

export default defineConfig({
  // JSX through Vite's own Oxc transform (no Babel): automatic runtime from Preact.
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  plugins: [swShell()],
  build: {
    outDir: "../hub/web/dist",
    emptyOutDir: true,
    target: "es2022",
    assetsDir: "assets",
    reportCompressedSize: true,
  },
  server: {
    proxy: {
      "/api": { target: HUB },
      "/login": { target: HUB },
      "/healthz": { target: HUB },
    },
  },
  test: {
    environment: "happy-dom",
    include: ["src/**/*.test.{ts,tsx}", "tests/**/*.test.ts"],
    restoreMocks: true,
    unstubGlobals: true,
  },
});
