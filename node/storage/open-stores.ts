import { open, readFile } from "node:fs/promises";
import type { Blockstore } from "interface-blockstore";
import type { Datastore } from "interface-datastore";
import { NotFoundError } from "interface-store";
import type { CID } from "multiformats/cid";
import { CHUNK_SIZE } from "#protocol";
import type { Logger } from "../../service/logger.ts";
import type { Registry } from "../../service/metrics.ts";
import { BloomBlockstore } from "../datastore/bloom-blockstore.ts";
import { blockKey, blockName, DatastoreBlockstore } from "../datastore/datastore-blockstore.ts";
import {
  type DatastoreSpec,
  DEFAULT_DATASTORE_SPEC,
  storesOf,
  unmeasured,
} from "../datastore/datastore-spec.ts";
import type { DiskUsage } from "../datastore/disk-usage.ts";
import { FlatfsDatastore } from "../datastore/flatfs-datastore.ts";
import { moveLegacyBlocks } from "../datastore/legacy-blocks.ts";
import { DatastoreMetrics, type StoreMeasure } from "../datastore/measured-datastore.ts";
import { type OpenedStore, openDatastore, resolvePath } from "../datastore/open-datastore.ts";
import { checkSpecOnDisk } from "../datastore/spec-on-disk.ts";
import { BufferPool } from "./buffer-pool.ts";
import { Flusher } from "./flush.ts";

/**
 * The node's stores, laid out by its datastore spec (kubo's by default: blocks in a sharded
 * flat-file store at `/blocks`, everything else, pins, blob records, the peer store, the watcher
 * cursor, in LevelDB), with the blockstore over it (a bloom filter in front).
 */
export interface NodeStores {
  readonly dataDir: string;
  readonly blockstore: BloomBlockstore;
  /** Reads of the same blocks, each block in one read (straight from its file when flatfs holds blocks). */
  readonly reads: Pick<Blockstore, "get" | "has">;
  readonly datastore: Datastore;
  /** The spec's stores, with their mountpoints and what each takes on disk. */
  readonly mounts: readonly OpenedStore[];
  /** Block-sized buffers reused by uploads and reads (see BufferPool). */
  readonly buffers: BufferPool;
  /**
   * The bytes of one block read into a buffer of `pool` (released by the caller once nothing
   * reads it), or into a buffer of its own if the block is larger than the pool's.
   */
  readInto(cid: CID, pool: BufferPool, options?: { signal?: AbortSignal | undefined }): Promise<Uint8Array>;
  /** Makes every write so far to every store durable (syncfs per file system, shared by concurrent callers). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

const POOLED_BUFFERS = 48;

export interface OpenStoresOptions {
  spec?: DatastoreSpec | undefined;
  /** Bytes of the blockstore's bloom filter (0: none). */
  bloomFilterSize?: number | undefined;
  /** Where the stores' metrics go. */
  registry: Registry;
  /** Where a failure of the background work (the bloom filter's first fill) is logged. */
  logger?: Logger;
  signal?: AbortSignal;
}

/**
 * Opens the node's stores: checks the spec against the data directory's `datastore_spec`
 * (refusing another layout), moves blocks of a directory older than the spec into it, opens
 * every store and starts filling the bloom filter in the background.
 */
export async function openStores(dataDir: string, options: OpenStoresOptions): Promise<NodeStores> {
  const spec = options.spec ?? DEFAULT_DATASTORE_SPEC;
  await checkSpecOnDisk(dataDir, spec);
  const blocksSpec = storesOf(spec).find((store) => store.mountpoint === "/blocks");
  const blocksLeaf = blocksSpec && unmeasured(blocksSpec.spec);
  if (blocksLeaf?.type === "flatfs")
    await moveLegacyBlocks(resolvePath(dataDir, blocksLeaf.path), blocksLeaf.shardFunc);
  const opened = await openDatastore(spec, {
    root: dataDir,
    metrics: new DatastoreMetrics(options.registry),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const blocks = opened.stores.find(
    (store) => store.mountpoint === "/blocks" && store.store instanceof FlatfsDatastore,
  );
  const blockstore = new BloomBlockstore(new DatastoreBlockstore(opened.datastore), {
    bytes: options.bloomFilterSize ?? 0,
  });
  // the filter fills while the node starts serving; closing the stores stops it
  const filling = new AbortController();
  void blockstore.rebuild({ signal: filling.signal }).catch((error: unknown) => {
    if (!filling.signal.aborted)
      options.logger?.warn({ err: error }, "the bloom filter could not be built: has goes to the store");
  });
  const flusher = new Flusher([
    dataDir,
    ...opened.stores.flatMap((store) => (store.path ? [store.path] : [])),
  ]);
  // enough for a few uploads and downloads at once; beyond that buffers are allocated and dropped
  const buffers = new BufferPool(CHUNK_SIZE, POOLED_BUFFERS);
  const direct = blocks ? directReads(blocks.store as FlatfsDatastore, blocks.measure) : undefined;
  return {
    dataDir,
    blockstore,
    reads: direct?.reads ?? blockstore,
    datastore: opened.datastore,
    mounts: opened.stores,
    buffers,
    readInto:
      direct?.readInto ??
      (async (cid, _pool, at) =>
        opened.datastore.get(blockKey(cid), at?.signal ? { signal: at.signal } : {})),
    flush: () => flusher.flush(),
    close: () => {
      filling.abort(new Error("the stores are closing"));
      return opened.close();
    },
  };
}

/**
 * Block reads straight from the flat-file store's files (one read per block, into pooled
 * buffers), counted by the store's measure as gets.
 */
function directReads(flatfs: FlatfsDatastore, measure: StoreMeasure | undefined) {
  const pathOf = (cid: CID) => flatfs.pathOf(blockName(cid));
  const counted = (bytes: Uint8Array, started: number) => {
    measure?.record("get", bytes.byteLength, (performance.now() - started) / 1000);
    return bytes;
  };
  const reads: Pick<Blockstore, "get" | "has"> = {
    async *get(cid, options) {
      const started = performance.now();
      try {
        yield counted(await readFile(pathOf(cid), options), started);
      } catch (cause) {
        throw new NotFoundError(`block ${cid} not found: ${(cause as Error).message}`);
      }
    },
    has: (cid, options) => {
      const has = () => flatfs.has(blockName(cid), options);
      return measure ? measure.time("has", has) : has();
    },
  };
  const readInto = async (cid: CID, pool: BufferPool, options: { signal?: AbortSignal | undefined } = {}) => {
    const path = pathOf(cid);
    options.signal?.throwIfAborted();
    const started = performance.now();
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
        return counted(await readFile(path, options), started);
      }
      return counted(buffer.subarray(0, length), started);
    } catch (error) {
      pool.release(buffer);
      throw error;
    } finally {
      await handle.close();
    }
  };
  return { reads, readInto };
}

/** What every store of the spec takes on disk, by mountpoint. */
export async function mountUsage(
  stores: NodeStores,
  options: { signal?: AbortSignal } = {},
): Promise<{ mountpoint: string; type: string; usage: DiskUsage }[]> {
  return Promise.all(
    stores.mounts.map(async (store) => ({
      mountpoint: store.mountpoint,
      type: store.type,
      usage: await store.usage(options),
    })),
  );
}
