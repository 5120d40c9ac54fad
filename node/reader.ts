import { exporter } from "ipfs-unixfs-exporter";
import { CID } from "multiformats/cid";
import { InvalidIdError, NotFoundError } from "./errors.ts";
import type { Holdings } from "./holdings.ts";
import type { Logger } from "./logger.ts";
import type { NodeMetrics } from "./metrics.ts";
import type { NodeHelia } from "./p2p/create-helia.ts";
import type { BlobRecords } from "./storage/blob-records.ts";
import type { HotCache } from "./storage/hot-cache.ts";
import type { NodeStores } from "./storage/open-stores.ts";

export interface Located {
  cid: CID;
  size: number;
  mimeType: string;
  source: "held" | "cache";
}

/** Parses a CID from a request, or throws a 400. */
export function parseCid(value: string): CID {
  try {
    return CID.parse(value);
  } catch {
    throw new InvalidIdError("CID", value);
  }
}

const LOCATED_MEMORY = 4096;

/**
 * Finds content by CID (held blobs first, then the hot cache, then, if asked, peers over
 * bitswap into the cache) and streams byte ranges of it from the local blockstore.
 */
export class Reader {
  readonly #helia: NodeHelia;
  readonly #stores: NodeStores;
  readonly #records: BlobRecords;
  readonly #cache: HotCache;
  readonly #holdings: Holdings;
  readonly #metrics: NodeMetrics;
  readonly #logger: Logger;
  readonly #fetchTimeoutMs: number;
  // recently located held blobs: reads of hot content skip the datastore
  readonly #located = new Map<string, Located>();

  constructor(deps: {
    helia: NodeHelia;
    stores: NodeStores;
    records: BlobRecords;
    cache: HotCache;
    holdings: Holdings;
    metrics: NodeMetrics;
    logger: Logger;
    fetchTimeoutMs: number;
  }) {
    this.#helia = deps.helia;
    this.#stores = deps.stores;
    this.#records = deps.records;
    this.#cache = deps.cache;
    this.#holdings = deps.holdings;
    this.#metrics = deps.metrics;
    this.#logger = deps.logger.child({ component: "reader" });
    this.#fetchTimeoutMs = deps.fetchTimeoutMs;
  }

  /** Forgets what it remembered of `cid` (after a release or eviction). */
  forget(cid: string): void {
    this.#located.delete(cid);
  }

  async locate(cid: CID, options: { signal?: AbortSignal; fetch?: boolean } = {}): Promise<Located> {
    const key = cid.toString();
    const remembered = this.#located.get(key);
    if (remembered) return remembered;
    const record = (await this.#records.byCid(key, options)).find((r) => r.state !== "ended");
    if (record) {
      const located: Located = { cid, size: record.size, mimeType: record.mimeType, source: "held" };
      if (this.#located.size >= LOCATED_MEMORY) this.#located.clear();
      this.#located.set(key, located);
      return located;
    }
    if (this.#cache.lookup(key)) {
      const pin = await this.#helia.pins.get(cid, options);
      return {
        cid,
        size: Number(pin.metadata.size),
        mimeType: String(pin.metadata.mimeType ?? "application/octet-stream"),
        source: "cache",
      };
    }
    if (options.fetch === false || this.#helia.libp2p.getConnections().length === 0)
      throw new NotFoundError(key);
    return this.#fetch(cid, options.signal);
  }

  /** Bytes `[offset, offset + length)` of located content, from the local blockstore only. */
  async *read(
    located: Located,
    range: { offset: number; length: number },
    options: { signal?: AbortSignal } = {},
  ) {
    const entry = await exporter(located.cid, this.#stores.blockstore, options);
    if (entry.type !== "file" && entry.type !== "raw")
      throw new NotFoundError(`${located.cid} is not a file`);
    for await (const chunk of entry.content({ ...range, ...options })) {
      this.#metrics.readBytes += chunk.length;
      yield chunk;
    }
  }

  async #fetch(cid: CID, signal?: AbortSignal): Promise<Located> {
    const timeout = AbortSignal.timeout(this.#fetchTimeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      const entry = await exporter(cid, this.#helia.blockstore, { signal: combined });
      if (entry.type !== "file" && entry.type !== "raw") throw new NotFoundError(`${cid} is not a file`);
      const size = Number(entry.size);
      for await (const _ of entry.content({ signal: combined })) {
        // pulling every block through bitswap stores it locally
      }
      const mimeType = "application/octet-stream";
      await this.#holdings.admitToCache(cid, size, mimeType, { signal: combined });
      this.#logger.info({ cid: cid.toString(), size }, "fetched from peers into the hot cache");
      return { cid, size, mimeType, source: "cache" };
    } catch (error) {
      this.#logger.debug({ cid: cid.toString(), err: error }, "not found on peers");
      throw new NotFoundError(cid.toString());
    }
  }
}
