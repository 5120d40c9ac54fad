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
