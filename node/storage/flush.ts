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
