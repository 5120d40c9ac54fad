import type { Blockstore, InputPair } from "interface-blockstore";
import type { CID } from "multiformats/cid";
import { BLOOM_HASHES, BloomFilter } from "./bloom-filter.ts";

type Listable = Blockstore & { cids(options?: { signal?: AbortSignal }): AsyncIterable<CID> };

export interface BloomStats {
  /** Configured size in bytes (0: no filter). */
  bytes: number;
  hashes: number;
  /** Whether the filter holds every stored block, so that it answers negative `has` calls. */
  warm: boolean;
  fillRatio: number;
  falsePositiveRate: number;
  /** `has` calls answered false from memory, without touching the store. */
  answered: number;
  /** `has` calls passed to the store (filter cold, or the block may be there). */
  passed: number;
  rebuilds: number;
}

/**
 * A blockstore whose negative `has` answers come from a bloom filter of every stored block's
 * multihash (kubo's `BloomFilterSize`, k = 7), once the filter is warm: built in the background
 * by listing the store (`rebuild`), while `has` goes to the store. Every put enters the filter
 * before the block is written, and the puts under way when a rebuild starts enter the new one,
 * so a stored block is never answered absent. Deletes leave their bits (the filter only grows
 * less sharp); a rebuild after a collection clears them.
 */
export class BloomBlockstore implements Blockstore {
  readonly #inner: Listable;
  readonly #bytes: number;
  #filter: BloomFilter | undefined;
  #building: BloomFilter | undefined;
  #rebuilding: Promise<void> | undefined;
  readonly #writing = new Set<Uint8Array>();
  #answered = 0;
  #passed = 0;
  #rebuilds = 0;

  constructor(inner: Listable, options: { bytes: number }) {
    this.#inner = inner;
    this.#bytes = options.bytes;
  }

  /**
   * Builds a new filter from the store's listing and swaps it in; a rebuild already running is
   * joined. Resolves once the filter is warm.
   */
  rebuild(options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.#bytes === 0) return Promise.resolve();
    this.#rebuilding ??= (async () => {
      const next = new BloomFilter(this.#bytes, BLOOM_HASHES);
      this.#building = next;
      for (const multihash of this.#writing) next.add(multihash);
      for await (const cid of this.#inner.cids(options)) next.add(cid.multihash.bytes);
      this.#filter = next;
      this.#rebuilds += 1;
    })().finally(() => {
      this.#building = undefined;
      this.#rebuilding = undefined;
    });
    return this.#rebuilding;
  }

  stats(): BloomStats {
    return {
      bytes: this.#bytes,
      hashes: BLOOM_HASHES,
      warm: this.#filter !== undefined,
      fillRatio: this.#filter?.fillRatio ?? 0,
      falsePositiveRate: this.#filter?.falsePositiveRate ?? 1,
      answered: this.#answered,
      passed: this.#passed,
      rebuilds: this.#rebuilds,
    };
  }

  async has(cid: CID, options?: { signal?: AbortSignal }): Promise<boolean> {
    if (this.#filter && !this.#filter.has(cid.multihash.bytes)) {
      this.#answered += 1;
      return false;
    }
    this.#passed += 1;
    return this.#inner.has(cid, options);
  }

  async put(
    cid: CID,
    bytes: Parameters<Blockstore["put"]>[1],
    options?: { signal?: AbortSignal },
  ): Promise<CID> {
    const multihash = cid.multihash.bytes;
    this.#filter?.add(multihash);
    this.#building?.add(multihash);
    this.#writing.add(multihash);
    try {
      return await this.#inner.put(cid, bytes, options);
    } finally {
      this.#writing.delete(multihash);
    }
  }

  async *putMany(source: Iterable<InputPair> | AsyncIterable<InputPair>, options?: { signal?: AbortSignal }) {
    for await (const { cid, bytes } of source) yield await this.put(cid, bytes, options);
  }

  get(cid: CID, options?: { signal?: AbortSignal }) {
    return this.#inner.get(cid, options);
  }

  getMany(source: Iterable<CID> | AsyncIterable<CID>, options?: { signal?: AbortSignal }) {
    return this.#inner.getMany(source, options);
  }

  async delete(cid: CID, options?: { signal?: AbortSignal }): Promise<void> {
    await this.#inner.delete(cid, options);
  }

  deleteMany(source: Iterable<CID> | AsyncIterable<CID>, options?: { signal?: AbortSignal }) {
    return this.#inner.deleteMany(source, options);
  }

  getAll(options?: { signal?: AbortSignal }) {
    return this.#inner.getAll(options);
  }

  cids(options?: { signal?: AbortSignal }): AsyncIterable<CID> {
    return this.#inner.cids(options);
  }
}
