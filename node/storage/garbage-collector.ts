import { Ticker } from "../chain/ticker.ts";
import type { Holdings } from "../holdings.ts";
import type { Logger } from "../logger.ts";
import type { NodeMetrics } from "../metrics.ts";
import type { NodeHelia } from "../p2p/create-helia.ts";
import type { HotCache } from "./hot-cache.ts";
import type { UsedNonces } from "./used-nonces.ts";

/**
 * Keeps the node inside StorageMax, as kubo's GC does: every `checkMs` it drops hot-cache copies
 * whose TTL ran out and, above the watermark, evicts cache copies by policy; every `periodMs`
 * (and whenever the watermark was crossed) it deletes every block no pin keeps (crash leftovers,
 * released blobs). It never runs while uploads are in progress.
 */
export class GarbageCollector {
  readonly #helia: NodeHelia;
  readonly #holdings: Holdings;
  readonly #cache: HotCache;
  readonly #nonces: UsedNonces;
  readonly #metrics: NodeMetrics;
  readonly #logger: Logger;
  readonly #watermark: number;
  readonly #periodMs: number;
  readonly #ticker: Ticker;
  #lastCollection = Date.now();
  #due = false;

  constructor(deps: {
    helia: NodeHelia;
    holdings: Holdings;
    cache: HotCache;
    nonces: UsedNonces;
    metrics: NodeMetrics;
    logger: Logger;
    watermark: number;
    periodMs: number;
    checkMs?: number;
  }) {
    this.#helia = deps.helia;
    this.#holdings = deps.holdings;
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
    const { held, cached, max } = this.#holdings.usage();
    const limit = Math.floor((max * this.#watermark) / 100);
    if (held + cached > limit) {
      const evicted = this.#cache.shrinkTo(Math.max(0, limit - held));
      for (const key of evicted) await this.#holdings.evictFromCache(key, { signal });
      this.#logger.info({ held, cached, limit, evicted: evicted.length }, "above the watermark");
      this.#due = true;
    }
    if (this.#due || Date.now() - this.#lastCollection >= this.#periodMs) await this.collect(signal);
  }

  /** Deletes every unpinned block (waits for uploads to finish first). */
  async collect(signal?: AbortSignal): Promise<number> {
    if (this.#holdings.busy) {
      this.#logger.debug("uploads in progress; collection postponed");
      this.#due = true;
      return 0;
    }
    this.#logger.debug("collecting");
    let removed = 0;
    await this.#helia.gc({
      signal,
      onProgress: (event: { type: string }) => {
        if (event.type === "helia:gc:deleted") removed += 1;
      },
    });
    await this.#nonces.prune(Math.floor(Date.now() / 1000), { signal });
    this.#lastCollection = Date.now();
    this.#due = false;
    this.#metrics.gcRuns += 1;
    this.#metrics.gcBlocksRemoved += removed;
    if (removed > 0) this.#logger.info({ removed }, "garbage collected");
    return removed;
  }
}
