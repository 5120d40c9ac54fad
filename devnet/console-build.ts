import { readdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { runNodeScript } from "./run-node-script.ts";

/** What the console's bundle is built from: its own sources and the SDK's, API's and protocol's. */
const SOURCES = ["console", "sdk", "api", "protocol"];

/** The newest modification time of the sources the console is built from. */
async function newestSource(root: string): Promise<number> {
  let newest = 0;
  for (const folder of SOURCES) {
    for (const entry of await readdir(join(root, folder), { withFileTypes: true, recursive: true })) {
      const path = join(entry.parentPath, entry.name);
      if (
        !entry.isFile() ||
        path.includes(`${join(root, "console", "dist")}`) ||
        path.includes("node_modules")
      )
        continue;
      if (!/\.(ts|css|html)$/.test(entry.name) || entry.name.endsWith(".test.ts")) continue;
      newest = Math.max(newest, (await stat(path)).mtimeMs);
    }
  }
  return newest;
}

/** True when console/dist is missing or older than a source it is built from. */
export async function consoleStale(root: string): Promise<boolean> {
  const built = await stat(join(root, "console", "dist", "index.html")).then(
    (s) => s.mtimeMs,
    () => undefined,
  );
  return built === undefined || (await newestSource(root)) > built;
}

/**
 * Builds the web console into console/dist (vite, as `npm run build:console` does) when it is
 * missing or older than its sources; `log` hears why. The build goes to a folder of its own and
 * is swapped in whole, so a server reading console/dist never sees half of one.
 */
export async function ensureConsoleBuild(
  root: string,
  options: { log?: (line: string) => void; signal?: AbortSignal; force?: boolean } = {},
): Promise<void> {
  if (!options.force && !(await consoleStale(root))) return;
  options.log?.("building the web console (vite build)…");
  const dist = join(root, "console", "dist");
  const fresh = join(root, "console", `.dist-${process.pid}-${Date.now()}`);
  try {
    const { code, output } = await runNodeScript(
      join(root, "node_modules", "vite", "bin", "vite.js"),
      ["build", "--config", join(root, "console", "vite.config.ts"), "--outDir", fresh],
      { cwd: root, signal: options.signal },
    );
    if (code !== 0) throw new Error(`vite build failed (exit ${code}):\n${output}`);
    const old = join(root, "console", `.dist-old-${process.pid}-${Date.now()}`);
    await rename(dist, old).catch(() => undefined);
    await rename(fresh, dist);
    await rm(old, { recursive: true, force: true });
  } finally {
    await rm(fresh, { recursive: true, force: true });
  }
}
