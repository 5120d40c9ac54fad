import { open } from "node:fs/promises";
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

/**
 * Group commit over `flushFilesystem`: a caller is answered by a flush that started after it
 * called, and every caller arriving while one flush runs shares the single next one. Concurrent
 * uploads then cost one sync at a time, not one each.
 */
export class Flusher {
  readonly #path: string;
  readonly #sync: (path: string) => Promise<void>;
  #running: Promise<void> | undefined;
  #next: Promise<void> | undefined;

  constructor(path: string, sync: (path: string) => Promise<void> = flushFilesystem) {
    this.#path = path;
    this.#sync = sync;
  }

  flush(): Promise<void> {
    if (!this.#running) {
      const running = this.#sync(this.#path).finally(() => {
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
