import { lstat, readdir } from "node:fs/promises";
import { join } from "node:path";

/** What a directory takes on disk, as `du` counts it: allocated bytes, and the inodes behind them. */
export interface DiskUsage {
  /** Bytes allocated to files and directories (st_blocks x 512, what `du -B1` adds up). */
  bytes: number;
  files: number;
  dirs: number;
}

export const emptyUsage = (): DiskUsage => ({ bytes: 0, files: 0, dirs: 0 });

/** Bytes the file system allocated to an entry (what `du` counts, not its length). */
export const allocatedBytes = (stats: { blocks: number }): number => stats.blocks * 512;

/**
 * Walks `path` (the directory itself included) the way `du -s -B1` does, without following links.
 * Entries removed while it walks are skipped; a missing `path` takes nothing.
 */
export async function measureDirectory(
  path: string,
  options: { signal?: AbortSignal | undefined; exclude?: ReadonlySet<string> } = {},
): Promise<DiskUsage> {
  const usage = emptyUsage();
  const walk = async (dir: string): Promise<void> => {
    options.signal?.throwIfAborted();
    if (options.exclude?.has(dir)) return;
    const stats = await lstat(dir).catch(() => undefined);
    if (!stats) return;
    usage.bytes += allocatedBytes(stats);
    if (!stats.isDirectory()) {
      usage.files += 1;
      return;
    }
    usage.dirs += 1;
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    const files = entries.filter((entry) => !entry.isDirectory());
    // files of one directory stat'ed together: a shard of a big store holds thousands
    for (let start = 0; start < files.length; start += 256) {
      const sizes = await Promise.all(
        files.slice(start, start + 256).map((entry) => lstat(join(dir, entry.name)).catch(() => undefined)),
      );
      for (const size of sizes) {
        if (!size) continue;
        usage.bytes += allocatedBytes(size);
        usage.files += 1;
      }
    }
    for (const entry of entries) if (entry.isDirectory()) await walk(join(dir, entry.name));
  };
  await walk(path);
  return usage;
}
