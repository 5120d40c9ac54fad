import type { CID } from "multiformats/cid";
import type { Logger } from "../../service/logger.ts";
import { Ticker } from "../../service/ticker.ts";
import type { BloomBlockstore } from "../datastore/bloom-blockstore.ts";
import type { Holdings } from "../hot/holdings.ts";
import type { HotCache } from "../hot/hot-cache.ts";
import type { NodeMetrics } from "../metrics.ts";
import type { NodeHelia } from "../p2p/create-helia.ts";
import type { ByteBudget } from "./byte-budget.ts";
import type { DiskUse } from "./disk-use.ts";
import type { PendingBlocks } from "./pending-blocks.ts";
import type { UsedNonces } from "./used-nonces.ts";

/** Blocks a batch checks and deletes at once: few enough that an upload's writes never queue long behind them. */
const SWEEP_CONCURRENCY = 8;

/** What one collection did, as its log line says. */
export interface Collection {
  checked: number;
  removed: number;
  /** Bytes the disk got back. */
  freedBytes: number;
  batches: number;
}

/**
 * Keeps the node inside StorageMax, as kubo's GC does: every `checkMs` it drops hot-cache copies
 * whose TTL ran out and, above the watermark, evicts cache copies by policy; every `periodMs`
 * (and whenever the watermark was crossed) it deletes every block no pin keeps (crash leftovers,
 * released blobs) and no upload in progress holds. It works in batches of `batchSize` blocks
 * (listed, checked and deleted a few at a time), yielding between them: uploads are never held
 * off, and an upload's write waits behind at most one batch's I/O.
 */
export class GarbageCollector {
  readonly #pins: Pick<NodeHelia["pins"], "isPinned">;
  readonly #blockstore: Pick<BloomBlockstore, "cids" | "delete" | "rebuild">;
  readonly #pending: PendingBlocks;
  readonly #holdings: Pick<Holdings, "evictFromCache">;
  readonly #budget: Pick<ByteBudget, "usage">;
  readonly #disk: Pick<DiskUse, "freedBytes" | "refresh">;
  readonly #cache: Pick<HotCache, "expire" | "shrinkTo">;
  readonly #nonces: UsedNonces;
  readonly #metrics: NodeMetrics;
  readonly #logger: Logger;
  readonly #watermark: number;
  readonly #periodMs: number;
  readonly #batchSize: number;
  readonly #ticker: Ticker;
  readonly #onBatch: ((batch: number) => void) | undefined;
  #lastCollection = Date.now();
  #due = false;

  constructor(deps: {
    pins: Pick<NodeHelia["pins"], "isPinned">;
    blockstore: Pick<BloomBlockstore, "cids" | "delete" | "rebuild">;
    /** Blocks uploads in progress have written and not pinned yet: never collected. */
    pending: PendingBlocks;
    holdings: Pick<Holdings, "evictFromCache">;
    budget: Pick<ByteBudget, "usage">;
    disk: Pick<DiskUse, "freedBytes" | "refresh">;
    cache: Pick<HotCache, "expire" | "shrinkTo">;
    nonces: UsedNonces;
    metrics: NodeMetrics;
    logger: Logger;
    watermark: number;
    periodMs: number;
    /** Blocks per batch (default 1000). */
    batchSize?: number | undefined;
    checkMs?: number;
    /** Called as each batch ends, with its number (from 1), for tests and benchmarks that watch. */
    onBatch?: (batch: number) => void;
  }) {
    this.#pins = deps.pins;
    this.#blockstore = deps.blockstore;
    this.#pending = deps.pending;
    this.#holdings = deps.holdings;
    this.#budget = deps.budget;
    this.#disk = deps.disk;
    this.#cache = deps.cache;
    this.#nonces = deps.nonces;
    this.#metrics = deps.metrics;
    this.#logger = deps.logger.child({ component: "gc" });
    this.#watermark = deps.watermark;
    this.#periodMs = deps.periodMs;
    this.#batchSize = deps.batchSize ?? 1000;
    this.#onBatch = deps.onBatch;
    this.#ticker = new Ticker(
      "gc",
      deps.checkMs ?? Math.min(deps.periodMs, 10_000),
      (s) => this.tick(s),
      this.#logger,
    );
  }

  start(): void {
    this.#ticker.start();
  }

  stop(): Promise<void> {
    return this.#ticker.stop();
  }

  async tick(signal?: AbortSignal): Promise<void> {
    for (const key of this.#cache.expire()) await this.#holdings.evictFromCache(key, { signal });
    await this.#disk.refresh(signal ? { signal } : {});
    const { used, reserved, cached, max } = this.#budget.usage();
    const limit = Math.floor((max * this.#watermark) / 100);
    if (used + reserved > limit) {
      const evicted = this.#cache.shrinkTo(Math.max(0, cached - (used + reserved - limit)));
      for (const key of evicted) await this.#holdings.evictFromCache(key, { signal });
      this.#logger.info({ used, reserved, cached, limit, evicted: evicted.length }, "above the watermark");
      this.#due = true;
    }
    if (this.#due || Date.now() - this.#lastCollection >= this.#periodMs) await this.collect(signal);
  }

  /** Deletes every block no pin keeps and no upload in progress holds, a batch at a time. */
  async collect(signal?: AbortSignal): Promise<Collection> {
    const started = performance.now();
    const freedBefore = this.#disk.freedBytes();
    const options = signal ? { signal } : {};
    const done: Collection = { checked: 0, removed: 0, freedBytes: 0, batches: 0 };
    this.#logger.debug({ pending_blocks: this.#pending.size }, "collecting");
    let batch: CID[] = [];
    const sweep = async () => {
      done.removed += await this.#sweep(batch, options);
      done.checked += batch.length;
      done.batches += 1;
      batch = [];
      this.#onBatch?.(done.batches);
      // what uploads queued while the batch ran goes first
      await new Promise<void>((resolve) => setImmediate(resolve));
    };
    // listing the store names each block and reads none of them
    for await (const cid of this.#blockstore.cids(options)) {
      batch.push(cid);
      if (batch.length >= this.#batchSize) await sweep();
    }
    if (batch.length > 0) await sweep();
    await this.#nonces.prune(Math.floor(Date.now() / 1000), { signal });
    done.freedBytes = this.#disk.freedBytes() - freedBefore;
    this.#lastCollection = Date.now();
    this.#due = false;
    this.#metrics.gcRuns += 1;
    this.#metrics.gcBlocksRemoved += done.removed;
    this.#metrics.gcBytesFreed += done.freedBytes;
    if (done.removed > 0) {
      this.#logger.info(
        {
          checked: done.checked,
          removed: done.removed,
          freed_bytes: done.freedBytes,
          batches: done.batches,
          ms: Math.round(performance.now() - started),
        },
        "garbage collected",
      );
      // the filter still has the deleted blocks' bits: a fresh one answers more from memory
      void this.#blockstore.rebuild(options).catch((error: unknown) => {
        if (!signal?.aborted) this.#logger.warn({ err: error }, "bloom filter rebuild failed");
      });
    }
    return done;
  }

  /** Deletes the blocks of `batch` no pin keeps, a few at a time; returns how many. */
  async #sweep(batch: readonly CID[], options: { signal?: AbortSignal }): Promise<number> {
    let removed = 0;
    let next = 0;
    const worker = async () => {
      while (next < batch.length) {
        const cid = batch[next++] as CID;
        if (this.#pending.has(cid) || (await this.#pins.isPinned(cid, options))) continue;
        if (await this.#pending.deleteUnheld(cid, () => this.#blockstore.delete(cid, options))) removed += 1;
      }
    };
    await Promise.all(Array.from({ length: Math.min(SWEEP_CONCURRENCY, batch.length) }, worker));
    return removed;
  }
}
