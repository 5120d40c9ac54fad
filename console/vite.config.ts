// The console's build: `npx vite build --config console/vite.config.ts` (npm run build:console)
// writes console/dist, a static site any server can host; the indexer serves it at /console/ and
// `strata console` on a port of its own. Relative asset paths (base "./"), so it works under any
// prefix. The SDK is bundled from its TypeScript sources with its browser files: where
// `x.browser.ts` sits beside `x.ts` (no `node:` module, no addon), the page gets the former, as the
// SDK's own browser build does.
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { defineConfig, type Plugin } from "vite";

const here = import.meta.dirname;
const repo = resolve(here, "..");

/** `./x.ts` imported by a Strata source file becomes `./x.browser.ts` where that file exists. */
function browserFiles(): Plugin {
  return {
    name: "strata-browser-files",
    enforce: "pre",
    resolveId(source, importer) {
      if (!importer || !source.startsWith(".") || !source.endsWith(".ts")) return null;
      if (importer.includes("/node_modules/") || !importer.startsWith(repo)) return null;
      const browser = join(dirname(importer), source.replace(/\.ts$/, ".browser.ts"));
      return existsSync(browser) ? browser : null;
    },
  };
}

export default defineConfig({
  root: here,
  base: "./",
  plugins: [browserFiles()],
  resolve: { alias: { "#protocol": join(repo, "protocol", "index.ts") } },
  build: {
    outDir: join(here, "dist"),
    emptyOutDir: true,
    target: "es2023",
    sourcemap: true,
    reportCompressedSize: true,
    chunkSizeWarningLimit: 2048,
  },
  logLevel: "warn",
});
