import type { Logger } from "../../service/logger.ts";
import { Ticker } from "../../service/ticker.ts";
import type { Holdings } from "../hot/holdings.ts";
import type { HotCache } from "../hot/hot-cache.ts";
import type { NodeMetrics } from "../metrics.ts";
import type { NodeHelia } from "../p2p/create-helia.ts";
import type { ByteBudget } from "./byte-budget.ts";
import type { NodeStores } from "./open-stores.ts";
import type { PendingBlocks } from "./pending-blocks.ts";
import type { UsedNonces } from "./used-nonces.ts";

/**
 * Keeps the node inside StorageMax, as kubo's GC does: every `checkMs` it drops hot-cache copies
 * whose TTL ran out and, above the watermark, evicts cache copies by policy; every `periodMs`
 * (and whenever the watermark was crossed) it deletes every block no pin keeps (crash leftovers,
 * released blobs) and no upload in progress holds: uploads never hold it off.
 */
export class GarbageCollector {
  readonly #pins: Pick<NodeHelia["pins"], "isPinned">;
  readonly #blockstore: Pick<NodeStores["blockstore"], "getAll" | "delete">;
  readonly #pending: PendingBlocks;
  readonly #holdings: Pick<Holdings, "evictFromCache">;
  readonly #budget: Pick<ByteBudget, "usage">;
  readonly #cache: Pick<HotCache, "expire" | "shrinkTo">;
  readonly #nonces: UsedNonces;
  readonly #metrics: NodeMetrics;
  readonly #logger: Logger;
  readonly #watermark: number;
  readonly #periodMs: number;
  readonly #ticker: Ticker;
  #lastCollection = Date.now();
  #due = false;

  constructor(deps: {
    pins: Pick<NodeHelia["pins"], "isPinned">;
    blockstore: Pick<NodeStores["blockstore"], "getAll" | "delete">;
    /** Blocks uploads in progress have written and not pinned yet: never collected. */
    pending: PendingBlocks;
    holdings: Pick<Holdings, "evictFromCache">;
    budget: Pick<ByteBudget, "usage">;
    cache: Pick<HotCache, "expire" | "shrinkTo">;
    nonces: UsedNonces;
    metrics: NodeMetrics;
    logger: Logger;
    watermark: number;
    periodMs: number;
    checkMs?: number;
  }) {
    this.#pins = deps.pins;
    this.#blockstore = deps.blockstore;
    this.#pending = deps.pending;
    this.#holdings = deps.holdings;
    this.#budget = deps.budget;
    this.#cache = deps.cache;
    this.#nonces = deps.nonces;
    this.#metrics = deps.metrics;
    this.#logger = deps.logger.child({ component: "gc" });
    this.#watermark = deps.watermark;
    this.#periodMs = deps.periodMs;
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
    const { held, cached, max } = this.#budget.usage();
    const limit = Math.floor((max * this.#watermark) / 100);
    if (held + cached > limit) {
      const evicted = this.#cache.shrinkTo(Math.max(0, limit - held));
      for (const key of evicted) await this.#holdings.evictFromCache(key, { signal });
      this.#logger.info({ held, cached, limit, evicted: evicted.length }, "above the watermark");
      this.#due = true;
    }
    if (this.#due || Date.now() - this.#lastCollection >= this.#periodMs) await this.collect(signal);
  }

  /** Deletes every block no pin keeps and no upload in progress holds; returns how many. */
  async collect(signal?: AbortSignal): Promise<number> {
    this.#logger.debug({ pending_blocks: this.#pending.size }, "collecting");
    let removed = 0;
    // listing the store names each block and reads none of them
    for await (const { cid } of this.#blockstore.getAll(signal ? { signal } : {})) {
      if (this.#pending.has(cid) || (await this.#pins.isPinned(cid, signal ? { signal } : {}))) continue;
      const remove = async () => {
        await this.#blockstore.delete(cid, signal ? { signal } : {});
      };
      if (await this.#pending.deleteUnheld(cid, remove)) removed += 1;
    }
    await this.#nonces.prune(Math.floor(Date.now() / 1000), { signal });
    this.#lastCollection = Date.now();
    this.#due = false;
    this.#metrics.gcRuns += 1;
    this.#metrics.gcBlocksRemoved += removed;
    if (removed > 0) this.#logger.info({ removed }, "garbage collected");
    return removed;
  }
}
