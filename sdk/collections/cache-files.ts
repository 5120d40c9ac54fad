import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

/**
 * This machine's copy of a database: files under its cache folder, read whole, written whole
 * and atomically (a temporary file renamed over). The browser build takes `cache-files.browser.ts`.
 */

/** The bytes of `name` under `dir`, or undefined when there is no such file. */
export async function readCached(dir: string, name: string): Promise<Uint8Array | undefined> {
  return readFile(join(dir, name)).catch(() => undefined);
}

/** Writes `name` under `dir` whole, creating its folder. */
export async function writeCached(dir: string, name: string, bytes: Uint8Array | string): Promise<void> {
  const file = join(dir, name);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(`${file}.tmp`, bytes);
  await rename(`${file}.tmp`, file);
}
