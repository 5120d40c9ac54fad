import { CID } from "multiformats/cid";
import type { Logger } from "../../service/logger.ts";
import { InvalidIdError, NotFoundError } from "../errors.ts";
import type { NodeMetrics } from "../metrics.ts";
import type { NodeHelia } from "../p2p/create-helia.ts";
import type { BlobRecords } from "../storage/blob-records.ts";
import type { NodeStores } from "../storage/open-stores.ts";
import { readFileRange } from "../storage/read-file.ts";
import type { Holdings } from "./holdings.ts";
import type { HotCache } from "./hot-cache.ts";

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
/** Blocks (1 MiB each) read ahead of a streaming reader. */
const READ_AHEAD = 4;
/** Blocks requested from peers at once while fetching into the cache. */
const FETCH_AHEAD = 16;
/** Blobs up to this size are kept in memory once read: the hottest of the hot tier. */
export const SMALL_BLOB = 256 * 1024;
const SMALL_MEMORY = 64 * 1024 * 1024;

/**
 * Finds content by CID (held blobs first, then the hot cache, then, if asked, peers over
 * bitswap into the cache) and streams byte ranges of it from the local blockstore.
 */
export class Reader {
  readonly #helia: Pick<NodeHelia, "pins" | "libp2p" | "blockstore">;
  readonly #stores: Pick<NodeStores, "buffers" | "readInto" | "reads">;
  readonly #records: Pick<BlobRecords, "byCid">;
  readonly #cache: Pick<HotCache, "lookup">;
  readonly #holdings: Pick<Holdings, "admitToCache">;
  readonly #metrics: Pick<NodeMetrics, "readBytes">;
  readonly #logger: Logger;
  readonly #fetchTimeoutMs: number;
  // recently located held blobs, by the id string a request names them with: reads of hot
  // content skip parsing and the datastore
  readonly #located = new Map<string, Located>();
  // bytes of small blobs recently read, least recently used first
  readonly #small = new Map<string, Buffer>();
  #smallBytes = 0;

  constructor(deps: {
    helia: Pick<NodeHelia, "pins" | "libp2p" | "blockstore">;
    stores: Pick<NodeStores, "buffers" | "readInto" | "reads">;
    records: Pick<BlobRecords, "byCid">;
    cache: Pick<HotCache, "lookup">;
    holdings: Pick<Holdings, "admitToCache">;
    metrics: Pick<NodeMetrics, "readBytes">;
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
    this.#located.clear();
    const bytes = this.#small.get(cid);
    if (bytes) {
      this.#small.delete(cid);
      this.#smallBytes -= bytes.length;
    }
  }

  /** Like `locate`, from the id string of a request (remembered as given). */
  async locateId(id: string, options: { signal?: AbortSignal; fetch?: boolean } = {}): Promise<Located> {
    const remembered = this.#located.get(id);
    if (remembered) return remembered;
    const located = await this.locate(parseCid(id), options);
    if (located.source === "held") this.#remember(id, located);
    return located;
  }

  /** The whole content of a small located blob, from memory when it was read recently. */
  async whole(located: Located, options: { signal?: AbortSignal } = {}): Promise<Buffer> {
    const key = located.cid.toString();
    const cached = this.#small.get(key);
    if (cached) {
      this.#small.delete(key);
      this.#small.set(key, cached);
      this.#metrics.readBytes += cached.length;
      return cached;
    }
    const parts: Uint8Array[] = [];
    for await (const part of this.read(located, { offset: 0, length: located.size }, options))
      parts.push(part);
    const bytes = Buffer.concat(parts);
    if (bytes.length <= SMALL_BLOB) {
      this.#small.set(key, bytes);
      this.#smallBytes += bytes.length;
      for (const [victim, victimBytes] of this.#small) {
        if (this.#smallBytes <= SMALL_MEMORY) break;
        this.#small.delete(victim);
        this.#smallBytes -= victimBytes.length;
      }
    }
    return bytes;
  }

  async locate(cid: CID, options: { signal?: AbortSignal; fetch?: boolean } = {}): Promise<Located> {
    const key = cid.toString();
    const remembered = this.#located.get(key);
    if (remembered) return remembered;
    const record = (await this.#records.byCid(key, options)).find((r) => r.state !== "ended" && !r.shard);
    if (record) {
      const located: Located = { cid, size: record.size, mimeType: record.mimeType, source: "held" };
      this.#remember(key, located);
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
    if (options.fetch === false) throw new NotFoundError(key);
    return this.fetch(cid, options);
  }

  /** Fetches content from peers over bitswap into the hot cache (not found without peers). */
  async fetch(cid: CID, options: { signal?: AbortSignal } = {}): Promise<Located> {
    if (this.#helia.libp2p.getConnections().length === 0) throw new NotFoundError(cid.toString());
    return this.#fetch(cid, options.signal);
  }

  #remember(key: string, located: Located): void {
    if (this.#located.size >= LOCATED_MEMORY) this.#located.clear();
    this.#located.set(key, located);
  }

  /**
   * Bytes `[offset, offset + length)` of located content, from the local blockstore only. With
   * `pooled`, leaf blocks are read into buffers of the stores' pool and the caller releases each
   * chunk (`stores.buffers.release`) once nothing reads it.
   */
  async *read(
    located: Located,
    range: { offset: number; length: number },
    options: { signal?: AbortSignal; pooled?: boolean } = {},
  ) {
    const { signal } = options;
    const buffers = this.#stores.buffers;
    const pooled = options.pooled
      ? {
          readLeaf: (cid: CID) => this.#stores.readInto(cid, buffers, { signal }),
          discard: (bytes: Uint8Array) => buffers.release(bytes),
        }
      : {};
    for await (const chunk of readFileRange(this.#stores.reads, located.cid, range, {
      signal,
      readAhead: READ_AHEAD,
      ...pooled,
    })) {
      this.#metrics.readBytes += chunk.length;
      yield chunk;
    }
  }

  async #fetch(cid: CID, signal?: AbortSignal): Promise<Located> {
    const timeout = AbortSignal.timeout(this.#fetchTimeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      let size = 0;
      // pulling every block through bitswap stores it locally
      for await (const chunk of readFileRange(this.#helia.blockstore, cid, undefined, {
        signal: combined,
        readAhead: FETCH_AHEAD,
      }))
        size += chunk.length;
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
