// Vite build of the console. The output (dist/) is embedded into atomyx-vault by
// tools/embed_console.py; file names carry content hashes so the server can cache them forever.
import { defineConfig } from "vite";

export default defineConfig({
  // JSX through esbuild with Preact's runtime: no framework plugin needed.
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsDir: "assets",
    // No inline script anywhere: the strict CSP (script-src 'self') would refuse it.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    cssCodeSplit: true,
    sourcemap: false,
    target: "es2021",
    chunkSizeWarningLimit: 150,
  },
  server: { proxy: { "/api": "http://127.0.0.1:8080" } },
});
