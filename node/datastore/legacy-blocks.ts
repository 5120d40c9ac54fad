import { mkdir, readdir, rename, rm, rmdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { shard } from "datastore-core";
import { SHARDING_FILE } from "./flatfs-datastore.ts";

/**
 * Moves the blocks of a data directory written before the datastore spec (no `SHARDING`; files
 * named `B<multihash>.data`, the multibase prefix kept, sharded by their last two characters)
 * into the flat-file layout of `shardFunc`. Each block is one rename, so a crash part-way leaves
 * every block in one layout or the other, and the next start finishes the move. Returns how many
 * blocks moved; nothing happens in a directory that has a `SHARDING` file or no blocks.
 */
export async function moveLegacyBlocks(path: string, shardFunc: string): Promise<number> {
  if (
    await stat(join(path, SHARDING_FILE)).then(
      () => true,
      () => false,
    )
  )
    return 0;
  const entries = await readdir(path, { withFileTypes: true }).catch(() => []);
  const shardOf = shard.parseShardFun(shardFunc);
  let moved = 0;
  for (const dir of entries.filter((entry) => entry.isDirectory())) {
    for (const file of await readdir(join(path, dir.name))) {
      const from = join(path, dir.name, file);
      if (file.startsWith(".")) {
        await rm(from, { force: true });
        continue;
      }
      if (!file.startsWith("B") || !file.endsWith(".data")) continue;
      const name = file.slice(1, -".data".length);
      const to = join(path, shardOf.fun(name));
      await mkdir(to, { recursive: true });
      await rename(from, join(to, `${name}.data`));
      moved += 1;
    }
    // an emptied old shard (one the new function does not use)
    await rmdir(join(path, dir.name)).catch(() => undefined);
  }
  return moved;
}
