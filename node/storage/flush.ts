import { open, stat } from "node:fs/promises";
import { nativeMerkle } from "#protocol";

/**
 * Makes every write so far on the filesystem holding `path` durable: syncfs(2) through the
 * native addon, on a pool thread. Without the addon, fsync of `path` itself (weaker: a
 * directory's entries, not the files' data).
 */
export async function flushFilesystem(path: string): Promise<void> {
  if (nativeMerkle) return nativeMerkle.syncfs(path);
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** One path per file system among `paths` (the first seen on each). */
async function onePerFilesystem(paths: readonly string[]): Promise<string[]> {
  const devices = new Map<number, string>();
  for (const path of paths) {
    const { dev } = await stat(path);
    if (!devices.has(dev)) devices.set(dev, path);
  }
  return [...devices.values()];
}

/**
 * Group commit over `flushFilesystem`: a caller is answered by a flush that started after it
 * called, and every caller arriving while one flush runs shares the single next one. Concurrent
 * uploads then cost one sync at a time, not one each. Stores on several file systems (a spec
 * with a mount elsewhere) are synced each once.
 */
export class Flusher {
  readonly #paths: readonly string[];
  readonly #sync: (path: string) => Promise<void>;
  /** The paths to sync, one per file system, once known. */
  #distinct: string[] | undefined;
  #running: Promise<void> | undefined;
  #next: Promise<void> | undefined;

  constructor(paths: string | readonly string[], sync: (path: string) => Promise<void> = flushFilesystem) {
    this.#paths = typeof paths === "string" ? [paths] : paths;
    if (this.#paths.length === 1) this.#distinct = [...this.#paths];
    this.#sync = sync;
  }

  /** Starts the syncs at once when the file systems are known (a sync covers what was written before it started). */
  #syncAll(): Promise<void> {
    const all = (paths: string[]) => Promise.all(paths.map((path) => this.#sync(path))).then(() => undefined);
    if (this.#distinct) return all(this.#distinct);
    return onePerFilesystem(this.#paths).then((paths) => {
      this.#distinct = paths;
      return all(paths);
    });
  }

  flush(): Promise<void> {
    if (!this.#running) {
      const running = this.#syncAll().finally(() => {
        if (this.#running === running) this.#running = undefined;
      });
      this.#running = running;
      return running;
    }
    if (!this.#next) {
      this.#next = this.#running
        .catch(() => undefined)
        .then(() => {
          this.#next = undefined;
          return this.flush();
        });
    }
    return this.#next;
  }
}
