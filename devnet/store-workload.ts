import { randomBytes } from "node:crypto";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import { Registry } from "prom-client";
import { cidOfStream } from "#protocol";
import type { DatastoreSpec } from "../node/datastore/datastore-spec.ts";
import { HotCache } from "../node/hot/hot-cache.ts";
import { importBlob } from "../node/hot/import-blob.ts";
import { NodeMetrics } from "../node/metrics.ts";
import { createNodeHelia, type NodeHelia } from "../node/p2p/create-helia.ts";
import { ByteBudget } from "../node/storage/byte-budget.ts";
import { DiskUse } from "../node/storage/disk-use.ts";
import { GarbageCollector } from "../node/storage/garbage-collector.ts";
import { type NodeStores, openStores } from "../node/storage/open-stores.ts";
import { guardedBlockstore, PendingBlocks } from "../node/storage/pending-blocks.ts";
import { UsedNonces } from "../node/storage/used-nonces.ts";
import { createLogger, type Logger } from "../service/logger.ts";

/**
 * Something that happened, in the order it happened: an upload wrote a block, or a GC batch
 * ended; `at` is when (performance.now()).
 */
export type StoreEvent =
  | { kind: "write"; upload: number; at: number }
  | { kind: "batch"; batch: number; at: number };

export interface StoreWorkload {
  stores: NodeStores;
  helia: NodeHelia;
  gc: GarbageCollector;
  /** Every upload write and GC batch end, in order (what "waits at most one batch" is read from). */
  events: StoreEvent[];
  /** Writes `count` blocks of `size` random bytes that nothing pins (garbage); their CIDs. */
  writeGarbage(count: number, options?: { size?: number; concurrency?: number }): Promise<CID[]>;
  /**
   * Imports `data` the way the node takes an upload (blocks held against the collector until
   * pinned), numbered `upload` in `events`; resolves with its root, pinned.
   */
  upload(upload: number, data: Uint8Array): Promise<CID>;
  close(): Promise<void>;
}

/**
 * A storage node's stores, Helia (its pins) and garbage collector on a data directory, without a
 * chain: what the datastore tests and `bench/datastore.ts` run uploads and collections against.
 */
export async function openStoreWorkload(
  dataDir: string,
  options: { spec?: DatastoreSpec; bloomFilterSize?: number; gcBatch?: number; logger?: Logger } = {},
): Promise<StoreWorkload> {
  const logger = options.logger ?? createLogger("warn", { name: "store-workload" });
  const stores = await openStores(dataDir, {
    spec: options.spec,
    bloomFilterSize: options.bloomFilterSize ?? 0,
    registry: new Registry(),
  });
  const helia = await createNodeHelia({ stores, host: "127.0.0.1", port: 0, logger });
  const metrics = new NodeMetrics();
  const pending = new PendingBlocks();
  const cache = new HotCache({ capacity: 0, policy: "lru", ttlMs: 60_000 });
  const disk = new DiskUse({ dataDir, mounts: stores.mounts });
  await disk.refresh();
  const events: StoreEvent[] = [];
  const gc = new GarbageCollector({
    pins: helia.pins,
    blockstore: stores.blockstore,
    pending,
    // the cache is empty (capacity 0): nothing is ever evicted from it
    holdings: { evictFromCache: async () => undefined },
    budget: new ByteBudget({ cachedBytes: () => 0, metrics, max: Number.MAX_SAFE_INTEGER, disk }),
    disk,
    cache,
    nonces: new UsedNonces(stores.datastore),
    metrics,
    logger,
    watermark: 90,
    periodMs: 60 * 60 * 1000,
    batchSize: options.gcBatch,
    onBatch: (batch) => events.push({ kind: "batch", batch, at: performance.now() }),
  });
  return {
    stores,
    helia,
    gc,
    events,
    async writeGarbage(count, { size = 64, concurrency = 16 } = {}) {
      const cids: CID[] = [];
      let next = 0;
      const writer = async () => {
        while (next < count) {
          next += 1;
          const bytes = randomBytes(size);
          const cid = CID.createV1(raw.code, await sha256.digest(bytes));
          await stores.blockstore.put(cid, bytes);
          cids.push(cid);
        }
      };
      await Promise.all(Array.from({ length: concurrency }, writer));
      return cids;
    },
    async upload(upload, data) {
      const session = pending.session();
      try {
        const guarded = guardedBlockstore(stores.blockstore, session);
        const imported = await importBlob({
          source: (async function* () {
            for (let at = 0; at < data.length; at += 64 * 1024) yield data.subarray(at, at + 64 * 1024);
          })(),
          blockstore: {
            ...guarded,
            put: async (cid, bytes, at) => {
              const stored = await guarded.put(cid, bytes, at);
              events.push({ kind: "write", upload, at: performance.now() });
              return stored;
            },
          },
          buffers: stores.buffers,
          expected: { size: data.length, cid: (await cidOfStream([data])).toString() },
          maxBytes: data.length,
        });
        await stores.flush();
        // pinning walks the DAG: the generator yields each block it pinned
        for await (const _ of helia.pins.add(imported.cid));
        return imported.cid;
      } finally {
        session.close();
      }
    },
    async close() {
      await helia.stop();
      await stores.close();
    },
  };
}

/**
 * The most GC batches that ended between two consecutive writes of one upload, over every upload
 * in `events`: 1 means no write waited behind more than one batch.
 */
export function mostBatchesBetweenWrites(events: readonly StoreEvent[]): number {
  const since = new Map<number, number>();
  let most = 0;
  for (const event of events) {
    if (event.kind === "batch") {
      for (const [upload, batches] of since) since.set(upload, batches + 1);
    } else {
      most = Math.max(most, since.get(event.upload) ?? 0);
      since.set(event.upload, 0);
    }
  }
  return most;
}

/** The longest time between two consecutive writes of one upload (its longest stall), in ms. */
export function longestStall(events: readonly StoreEvent[], upload: number): number {
  let last: number | undefined;
  let longest = 0;
  for (const event of events) {
    if (event.kind !== "write" || event.upload !== upload) continue;
    if (last !== undefined) longest = Math.max(longest, event.at - last);
    last = event.at;
  }
  return longest;
}
