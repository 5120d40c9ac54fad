import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { FsBlockstore } from "blockstore-fs";
import { LevelDatastore } from "datastore-level";
import { MultihashNextToLast } from "./multihash-sharding.ts";

/**
 * The node's stores, mounted the way kubo mounts them: blocks in a sharded flat-file blockstore
 * (`blocks/`, one file per block, next-to-last-two-characters sharding), everything else (pins,
 * blob records, the peer store, the watcher cursor) in a LevelDB key-value datastore (`datastore/`).
 */
export interface NodeStores {
  readonly dataDir: string;
  readonly blockstore: FsBlockstore;
  readonly datastore: LevelDatastore;
  close(): Promise<void>;
}

export async function openStores(dataDir: string): Promise<NodeStores> {
  await removeTempFiles(join(dataDir, "blocks"));
  const blockstore = new FsBlockstore(join(dataDir, "blocks"), {
    shardingStrategy: new MultihashNextToLast(),
  });
  const datastore = new LevelDatastore(join(dataDir, "datastore"));
  await blockstore.open();
  await datastore.open();
  return {
    dataDir,
    blockstore,
    datastore,
    async close() {
      await datastore.close();
      await blockstore.close();
    },
  };
}

/**
 * Deletes the temporary files a block write leaves if the process dies mid-write (blockstore-fs
 * writes `.<name>.tmp` then renames it): at startup no write is under way, so every one is stale.
 */
async function removeTempFiles(blocks: string): Promise<number> {
  let removed = 0;
  for (const shard of await readdir(blocks).catch(() => [])) {
    for (const file of await readdir(join(blocks, shard)).catch(() => [])) {
      if (file.startsWith(".") && file.endsWith(".tmp")) {
        await rm(join(blocks, shard, file), { force: true });
        removed += 1;
      }
    }
  }
  return removed;
}
