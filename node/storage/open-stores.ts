import { open, readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { FsBlockstore } from "blockstore-fs";
import { LevelDatastore } from "datastore-level";
import type { Blockstore } from "interface-blockstore";
import { NotFoundError } from "interface-store";
import type { CID } from "multiformats/cid";
import { CHUNK_SIZE } from "#protocol";
import { BufferPool } from "./buffer-pool.ts";
import { Flusher } from "./flush.ts";
import { MultihashNextToLast } from "./multihash-sharding.ts";

/**
 * The node's stores, mounted the way kubo mounts them: blocks in a sharded flat-file blockstore
 * (`blocks/`, one file per block, next-to-last-two-characters sharding), everything else (pins,
 * blob records, the peer store, the watcher cursor) in a LevelDB key-value datastore (`datastore/`).
 */
export interface NodeStores {
  readonly dataDir: string;
  readonly blockstore: FsBlockstore;
  /** Reads of the same blocks, each block in one read instead of a 64 KiB stream. */
  readonly reads: Pick<Blockstore, "get" | "has">;
  readonly datastore: LevelDatastore;
  /** Block-sized buffers reused by uploads and reads (see BufferPool). */
  readonly buffers: BufferPool;
  /**
   * The bytes of one block read into a buffer of `pool` (released by the caller once nothing
   * reads it), or into a buffer of its own if the block is larger than the pool's.
   */
  readInto(cid: CID, pool: BufferPool, options?: { signal?: AbortSignal | undefined }): Promise<Uint8Array>;
  /** Makes every write so far to both stores durable (syncfs, shared by concurrent callers). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

const POOLED_BUFFERS = 48;

export async function openStores(dataDir: string): Promise<NodeStores> {
  await removeTempFiles(join(dataDir, "blocks"));
  const sharding = new MultihashNextToLast();
  const blockstore = new FsBlockstore(join(dataDir, "blocks"), { shardingStrategy: sharding });
  const datastore = new LevelDatastore(join(dataDir, "datastore"));
  await blockstore.open();
  await datastore.open();
  const flusher = new Flusher(dataDir);
  // enough for a few uploads and downloads at once; beyond that buffers are allocated and dropped
  const buffers = new BufferPool(CHUNK_SIZE, POOLED_BUFFERS);
  return {
    dataDir,
    blockstore,
    reads: {
      async *get(cid, options) {
        const { dir, file } = sharding.encode(cid);
        try {
          yield await readFile(join(blockstore.path, dir, file), options);
        } catch (cause) {
          throw new NotFoundError(`block ${cid} not found: ${(cause as Error).message}`);
        }
      },
      has: (cid, options) => blockstore.has(cid, options),
    },
    datastore,
    buffers,
    readInto: async (cid, pool, options = {}) => {
      const { dir, file } = sharding.encode(cid);
      const path = join(blockstore.path, dir, file);
      options.signal?.throwIfAborted();
      const handle = await open(path, "r").catch((cause: Error) => {
        throw new NotFoundError(`block ${cid} not found: ${cause.message}`);
      });
      const buffer = pool.acquire();
      try {
        let length = 0;
        while (length < buffer.length) {
          const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
          if (bytesRead === 0) break;
          length += bytesRead;
        }
        // a full buffer: the block may be larger than the pool's buffers
        if (length === buffer.length && (await handle.read(Buffer.alloc(1), 0, 1, length)).bytesRead > 0) {
          pool.release(buffer);
          return await readFile(path, options);
        }
        return buffer.subarray(0, length);
      } catch (error) {
        pool.release(buffer);
        throw error;
      } finally {
        await handle.close();
      }
    },
    flush: () => flusher.flush(),
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
