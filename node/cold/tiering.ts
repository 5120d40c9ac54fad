import type { Hex } from "viem";
import type { Logger } from "../../service/logger.ts";
import { NotFoundError } from "../errors.ts";
import type { Holdings } from "../hot/holdings.ts";
import type { HotCache } from "../hot/hot-cache.ts";
import type { Located, Reader } from "../hot/reader.ts";
import { parseCid } from "../hot/reader.ts";
import type { BlobRecords } from "../storage/blob-records.ts";
import type { ColdRebuild, RebuiltBlob } from "./cold-rebuild.ts";

export interface TierPolicy {
  /** Reads of a cached cold blob after which it is promoted (kept hot, TTL refreshed). */
  promoteAfterReads: number;
  /** A hot copy of a cold blob not read for this long is demoted (dropped from the hot tier). */
  demoteAfterMs: number;
}

interface HotCopy {
  blobId: Hex;
  size: number;
  reads: number;
  lastRead: number;
  promoted: boolean;
}

/** What a read opens: hot content, or a cold blob just rebuilt (streamed from its file). */
export type Opened =
  | { located: Located }
  | { rebuilt: RebuiltBlob; done: () => void; warming: Promise<void> };

/**
 * Moves blobs between the tiers for readers: a read of a cold-only blob rebuilds it from its
 * shards (lazy loading) and keeps the rebuilt copy in the hot cache; copies read often are
 * promoted (kept hot past the cache's TTL), copies not read for a while are demoted (dropped
 * from the hot tier, the shards stay). Counters for /stats.
 */
export class Tiering {
  readonly #cold: Pick<ColdRebuild, "rebuild">;
  readonly #reader: Pick<Reader, "locateId" | "fetch" | "forget">;
  readonly #records: Pick<BlobRecords, "byCid">;
  readonly #holdings: Pick<Holdings, "importCopy" | "evictFromCache">;
  readonly #cache: Pick<HotCache, "admit" | "has">;
  readonly #logger: Logger;
  readonly #policy: TierPolicy;
  readonly #now: () => number;
  readonly #copies = new Map<string, HotCopy>();
  readonly #loading = new Map<string, Promise<void>>();
  readonly stats = { coldReads: 0, lazyLoads: 0, promotions: 0, demotions: 0 };

  constructor(deps: {
    /** Rebuilds of cold blobs. */
    cold: Pick<ColdRebuild, "rebuild">;
    reader: Pick<Reader, "locateId" | "fetch" | "forget">;
    records: Pick<BlobRecords, "byCid">;
    holdings: Pick<Holdings, "importCopy" | "evictFromCache">;
    cache: Pick<HotCache, "admit" | "has">;
    logger: Logger;
    policy: TierPolicy;
    now?: () => number;
  }) {
    this.#cold = deps.cold;
    this.#reader = deps.reader;
    this.#records = deps.records;
    this.#holdings = deps.holdings;
    this.#cache = deps.cache;
    this.#logger = deps.logger.child({ component: "tiering" });
    this.#policy = deps.policy;
    this.#now = deps.now ?? Date.now;
  }

  /** Hot copies of cold blobs, for /stats. */
  copies(): { cid: string; blobId: Hex; reads: number; promoted: boolean }[] {
    return [...this.#copies].map(([cid, copy]) => ({
      cid,
      blobId: copy.blobId,
      reads: copy.reads,
      promoted: copy.promoted,
    }));
  }

  /**
   * Opens content by id for a read: held or cached content as is (a cached cold blob counts a
   * read); a cold blob this node keeps a shard of is rebuilt; anything else is looked for on
   * peers. Call `done` once the rebuilt file is read.
   */
  async open(id: string, options: { signal?: AbortSignal } = {}): Promise<Opened> {
    try {
      const located = await this.#reader.locateId(id, { ...options, fetch: false });
      this.#touch(located.cid.toString());
      return { located };
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    }
    const cid = parseCid(id);
    const key = cid.toString();
    const record = (await this.#records.byCid(key, options)).find((r) => r.shard && r.state !== "ended");
    if (!record) return { located: await this.#reader.fetch(cid, options) };
    const pending = this.#loading.get(key);
    if (pending) {
      // another read is warming the hot copy: wait for it rather than rebuild twice
      await pending.catch(() => undefined);
      return this.open(id, options);
    }
    this.stats.coldReads += 1;
    let finishRead = () => {};
    const readDone = new Promise<void>((resolve) => {
      finishRead = resolve;
    });
    // the hot copy is imported once the response is out: the reader is not kept waiting for it
    const warming = (async () => {
      const rebuilt = await this.#cold.rebuild(record.blobId, options);
      this.stats.lazyLoads += 1;
      return rebuilt;
    })();
    const settled = warming.then(
      async (rebuilt) => {
        await readDone;
        await this.#warm(rebuilt, record.blobId);
        await rebuilt.discard();
      },
      () => undefined,
    );
    const loading = settled.finally(() => this.#loading.delete(key));
    this.#loading.set(key, loading);
    try {
      return { rebuilt: await warming, done: finishRead, warming: loading };
    } catch (error) {
      finishRead();
      throw error;
    }
  }

  /** Makes content local for a read that needs its blocks (the gateway): a cold blob is rebuilt and kept hot. */
  async ensureLocal(id: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    const opened = await this.open(id, options);
    if ("rebuilt" in opened) {
      opened.done();
      await opened.warming;
    }
  }

  /** Rebuilds cold blob `blobId` and keeps it hot, promoted (POST /migrate to hot). */
  async promote(blobId: Hex, options: { signal?: AbortSignal } = {}): Promise<{ cid: string; size: number }> {
    const rebuilt = await this.#cold.rebuild(blobId, options);
    try {
      await this.#warm(rebuilt, blobId, options);
    } finally {
      await rebuilt.discard();
    }
    const copy = this.#copies.get(rebuilt.cid);
    if (copy && !copy.promoted) {
      copy.promoted = true;
      this.stats.promotions += 1;
    }
    return { cid: rebuilt.cid, size: rebuilt.size };
  }

  /** Applies the policies: demotes idle copies, keeps promoted ones hot. */
  async runPolicies(options: { signal?: AbortSignal } = {}): Promise<void> {
    const now = this.#now();
    for (const [cid, copy] of this.#copies) {
      if (now - copy.lastRead >= this.#policy.demoteAfterMs) {
        // the copy leaves /stats and the demotion is counted in one step: the eviction (unpinning,
        // deleting blocks) takes a while, and /stats read during it must not show the copy gone
        // with the demotion not counted yet
        this.#copies.delete(cid);
        this.stats.demotions += 1;
        this.#logger.info({ cid, blob_id: copy.blobId, reads: copy.reads }, "demoted to the cold tier");
        await this.#holdings.evictFromCache(cid, options);
        this.#reader.forget(cid);
      } else if (copy.promoted) {
        this.#cache.admit(cid, copy.size);
      } else if (!this.#cache.has(cid)) {
        this.#copies.delete(cid); // the cache let it go
      }
    }
  }

  async #warm(rebuilt: RebuiltBlob, blobId: Hex, options: { signal?: AbortSignal } = {}): Promise<void> {
    try {
      const kept = await this.#holdings.importCopy(
        rebuilt.read(),
        { cid: rebuilt.cid, size: rebuilt.size },
        rebuilt.mimeType,
        options,
      );
      if (kept && !this.#copies.has(rebuilt.cid)) {
        this.#copies.set(rebuilt.cid, {
          blobId,
          size: rebuilt.size,
          reads: 1,
          lastRead: this.#now(),
          promoted: false,
        });
      }
    } catch (error) {
      this.#logger.warn({ blob_id: blobId, err: error }, "could not keep the rebuilt blob hot");
    }
  }

  #touch(cid: string): void {
    const copy = this.#copies.get(cid);
    if (!copy) return;
    copy.reads += 1;
    copy.lastRead = this.#now();
    if (!copy.promoted && copy.reads >= this.#policy.promoteAfterReads) {
      copy.promoted = true;
      this.stats.promotions += 1;
      this.#logger.info({ cid, blob_id: copy.blobId, reads: copy.reads }, "promoted to the hot tier");
    }
  }
}
