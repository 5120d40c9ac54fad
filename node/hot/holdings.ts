import { CID } from "multiformats/cid";
import { type Hex, toHex } from "viem";
import type { Logger } from "../../service/logger.ts";
import { attest, type SignedAttestation } from "../chain/attestor.ts";
import type { ChainClient } from "../chain/chain-client.ts";
import { openHolder, type Registrations } from "../chain/registrations.ts";
import type { ShardStore } from "../cold/shard-store.ts";
import { BlobNotRegisteredError } from "../errors.ts";
import type { NodeMetrics } from "../metrics.ts";
import type { NodeHelia } from "../p2p/create-helia.ts";
import { type BlobRecord, type BlobRecords, recordOf, storedBytes } from "../storage/blob-records.ts";
import type { ByteBudget, Reservation } from "../storage/byte-budget.ts";
import { commitRecord } from "../storage/commit-record.ts";
import type { NodeStores } from "../storage/open-stores.ts";
import { guardedBlockstore, type ImportBlockstore, type PendingBlocks } from "../storage/pending-blocks.ts";
import { dropLeaves } from "./drop-leaves.ts";
import type { HotCache } from "./hot-cache.ts";
import { importBlob } from "./import-blob.ts";
import { carAllowance, importCar } from "./import-car.ts";
import { leafSkippingWalker } from "./leaf-skipping-walker.ts";

export interface StoreResult {
  blobId: Hex;
  cid: string;
  size: number;
  commitment: Hex;
  nodeId: number;
  holder: number;
  attestation: SignedAttestation;
}

export interface HoldingsOptions {
  maxUploadBytes: number;
  fault: { mode: "none" | "stop-proving" | "drop-data"; dropFraction: number };
}

/**
 * The blobs this node keeps: paid uploads taken in and made durable, pins, hot-cache copies and
 * releases, counted against the byte budget (StorageMax).
 */
export class Holdings {
  readonly #helia: NodeHelia;
  readonly #stores: NodeStores;
  readonly #records: BlobRecords;
  readonly #registrations: Registrations;
  readonly #chain: ChainClient;
  readonly #cache: Pick<HotCache, "admit" | "remove">;
  readonly #metrics: Pick<NodeMetrics, "uploads" | "uploadedBytes" | "blobsReleased">;
  readonly #logger: Logger;
  readonly #options: HoldingsOptions;
  readonly #shards: Pick<ShardStore, "delete">;
  readonly #pending: Pick<PendingBlocks, "session" | "deleteUnheld">;
  readonly #budget: Pick<ByteBudget, "checkRoom" | "reserve" | "hold" | "free" | "reset">;

  constructor(deps: {
    helia: NodeHelia;
    stores: NodeStores;
    records: BlobRecords;
    registrations: Registrations;
    chain: ChainClient;
    cache: Pick<HotCache, "admit" | "remove">;
    metrics: Pick<NodeMetrics, "uploads" | "uploadedBytes" | "blobsReleased">;
    logger: Logger;
    options: HoldingsOptions;
    shards: Pick<ShardStore, "delete">;
    /** Blocks of imports in progress, which garbage collection and releases leave alone. */
    pending: Pick<PendingBlocks, "session" | "deleteUnheld">;
    budget: Pick<ByteBudget, "checkRoom" | "reserve" | "hold" | "free" | "reset">;
  }) {
    this.#budget = deps.budget;
    this.#shards = deps.shards;
    this.#pending = deps.pending;
    this.#helia = deps.helia;
    this.#stores = deps.stores;
    this.#records = deps.records;
    this.#registrations = deps.registrations;
    this.#chain = deps.chain;
    this.#cache = deps.cache;
    this.#metrics = deps.metrics;
    this.#logger = deps.logger.child({ component: "holdings" });
    this.#options = deps.options;
  }

  /** Counts what the records hold and drops what a crash left half-done (pins without a record). */
  async load(options: { signal?: AbortSignal } = {}): Promise<void> {
    const recorded = new Set<string>();
    this.#budget.reset();
    for await (const record of this.#records.all(options)) {
      recorded.add(record.cid);
      if (record.state !== "ended") this.#budget.hold(storedBytes(record));
    }
    for await (const pin of this.#helia.pins.ls(options)) {
      if (pin.metadata.kind === "blob" && !recorded.has(pin.cid.toString())) {
        this.#logger.warn({ cid: pin.cid.toString() }, "unpinning a blob whose upload never committed");
        await this.#unpin(pin.cid, options);
      }
    }
  }

  /**
   * Takes in an upload for `blobId`: checks the registration names this node and is open, streams
   * and verifies the bytes, makes them durable, enrolls the blob and signs the attestation.
   */
  async store(
    blobId: Hex,
    source: AsyncIterable<Uint8Array>,
    options: { signal?: AbortSignal; format?: "bytes" | "car" } = {},
  ) {
    const registration = await this.#registrations.get(blobId, options);
    if (!registration) throw new BlobNotRegisteredError(blobId);
    const holder = openHolder(registration, this.#chain.nodeId);
    this.#budget.checkRoom(registration.size);
    const reservation = this.#budget.reserve(registration.size);
    // every block this upload writes is held until it is pinned (or the upload gives up)
    const pending = this.#pending.session();
    const timings: Record<string, number> = {};
    let mark = performance.now();
    const lap = (name: string) => {
      const now = performance.now();
      timings[`${name}_ms`] = Math.round(now - mark);
      mark = now;
    };
    try {
      // straight into the flat-file blockstore, each block held against the collector;
      // flushes started along the way leave little for the one that makes the blob durable
      const early: Promise<void>[] = [];
      const blockstore = spending(guardedBlockstore(this.#stores.blockstore, pending), reservation);
      const signal = options.signal ? { signal: options.signal } : {};
      const imported =
        options.format === "car"
          ? await importCar({
              source,
              blockstore: { ...blockstore, get: (cid, at) => this.#stores.blockstore.get(cid, at) },
              expected: registration,
              maxBytes: carAllowance(this.#options.maxUploadBytes),
              ...signal,
            })
          : await importBlob({
              source,
              blockstore,
              buffers: this.#stores.buffers,
              onProgress: () => early.push(this.#stores.flush().catch(() => undefined)),
              expected: registration,
              maxBytes: this.#options.maxUploadBytes,
              ...signal,
            });
      lap("import");
      await Promise.all(early);
      const existing = await this.#records.get(blobId, options);
      // blocks and pin durable first, then the record (the commit point) made durable in turn;
      // a pin that a crash leaves without its record is dropped at the next start (`load`)
      await Promise.all([
        this.#stores.flush(),
        existing ? undefined : this.#pin(imported.cid, { kind: "blob", blobId }, options),
      ]);
      await this.#stores.flush();
      lap("pin_and_flush");
      const record = recordOf(
        registration,
        holder,
        {
          cid: imported.cid.toString(),
          commitment: toHex(imported.commitment.root),
          groupRoots: Buffer.from(imported.commitment.groupRoots).toString("base64"),
        },
        existing?.storedAt ?? Date.now(),
      );
      await this.#commitRecord(record, !existing, options);
      lap("commit");
      if (this.#options.fault.mode === "drop-data") await this.#dropLeaves(imported.cid, options);
      const attestation = await attest(this.#chain, registration, holder, options);
      lap("attest");
      this.#metrics.uploads += 1;
      this.#metrics.uploadedBytes += record.size;
      this.#logger.info(
        { blob_id: blobId, cid: record.cid, size: record.size, holder, ...timings },
        "blob stored",
      );
      return {
        blobId,
        cid: record.cid,
        size: record.size,
        commitment: record.commitment,
        nodeId: this.#chain.nodeId,
        holder,
        attestation,
      } satisfies StoreResult;
    } finally {
      pending.close();
      reservation.release();
    }
  }

  /** Writes the record of data already durable (the commit point), durably, and counts it if new. */
  async #commitRecord(record: BlobRecord, isNew: boolean, options: { signal?: AbortSignal }) {
    await commitRecord(
      { records: this.#records, stores: this.#stores, budget: this.#budget },
      record,
      isNew,
      options,
    );
  }

  /**
   * Imports a copy of content into the hot tier as a cache entry (a rebuilt cold blob): the bytes
   * must give `expected.cid`. Returns whether the cache kept it.
   */
  async importCopy(
    source: AsyncIterable<Uint8Array>,
    expected: { cid: string; size: number },
    mimeType: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<boolean> {
    const pending = this.#pending.session();
    try {
      const imported = await importBlob({
        source,
        blockstore: guardedBlockstore(this.#stores.blockstore, pending),
        buffers: this.#stores.buffers,
        expected,
        maxBytes: Math.max(expected.size, 1),
        ...options,
      });
      return await this.admitToCache(imported.cid, expected.size, mimeType, options);
    } finally {
      pending.close();
    }
  }

  /** Lets go of a held blob (deleted, expired, never certified): unpins it and deletes its blocks. */
  async release(
    record: BlobRecord,
    reason: string,
    options: { signal?: AbortSignal | undefined } = {},
  ): Promise<void> {
    if (record.shard) {
      await this.#records.delete(record, options);
      await this.#stores.flush();
      await this.#shards.delete(record.blobId);
      if (record.state !== "ended") this.#budget.free(storedBytes(record));
      this.#metrics.blobsReleased += 1;
      this.#logger.info({ blob_id: record.blobId, cid: record.cid, reason }, "shard released");
      return;
    }
    const others = (await this.#records.byCid(record.cid, options)).filter(
      (r) => r.blobId !== record.blobId && !r.shard,
    );
    await this.#records.delete(record, options);
    if (record.state !== "ended") this.#budget.free(record.size);
    if (others.length === 0) await this.#unpin(CID.parse(record.cid), options);
    await this.#stores.flush();
    this.#metrics.blobsReleased += 1;
    this.#logger.info({ blob_id: record.blobId, cid: record.cid, reason }, "blob released");
  }

  /** Updates a record's state (certified, its term) as the chain moves. */
  async update(
    record: BlobRecord,
    changes: Partial<BlobRecord>,
    options: { signal?: AbortSignal | undefined } = {},
  ) {
    await this.#records.put({ ...record, ...changes }, options);
  }

  /** Pins `cid` as a hot-cache copy of `size` bytes, evicting what the cache policy says. */
  async admitToCache(cid: CID, size: number, mimeType: string, options: { signal?: AbortSignal } = {}) {
    const key = cid.toString();
    const evicted = this.#cache.admit(key, size);
    for (const victim of evicted) await this.evictFromCache(victim, options);
    if (evicted.includes(key)) return false;
    if (!(await this.#isPinned(cid, options)))
      await this.#pin(cid, { kind: "cache", size, mimeType }, options);
    return true;
  }

  /** Drops a cached copy (unless a held blob has the same CID). */
  async evictFromCache(key: string, options: { signal?: AbortSignal | undefined } = {}): Promise<void> {
    this.#cache.remove(key);
    const cid = CID.parse(key);
    const held = (await this.#records.byCid(key, options)).some((record) => !record.shard);
    if (!held && (await this.#isPinned(cid, options))) await this.#unpin(cid, options);
  }

  async #isPinned(cid: CID, options: { signal?: AbortSignal | undefined }): Promise<boolean> {
    try {
      await this.#helia.pins.get(cid, options.signal ? { signal: options.signal } : {});
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Pins `cid`. A CID pinned already (the same bytes held for another blob, or cached) stays
   * pinned as it is: releases unpin only once no record holds the CID.
   */
  async #pin(cid: CID, metadata: Record<string, string | number>, options: { signal?: AbortSignal }) {
    try {
      for await (const _ of this.#helia.pins.add(cid, {
        ...options,
        metadata,
        walker: leafSkippingWalker(),
      })) {
        // pinning walks the DAG; nothing to do per block
      }
    } catch (error) {
      if ((error as Error).name !== "AlreadyPinnedError") throw error;
    }
  }

  /** Unpins `cid` and deletes its blocks that no other pin keeps and no upload in progress holds. */
  async #unpin(cid: CID, options: { signal?: AbortSignal | undefined }) {
    const blocks: CID[] = [];
    for await (const block of this.#helia.pins.rm(cid, {
      ...(options.signal ? { signal: options.signal } : {}),
      walker: leafSkippingWalker(),
    })) {
      blocks.push(block);
    }
    for (const block of blocks) {
      if (!(await this.#helia.pins.isPinned(block, options.signal ? { signal: options.signal } : {})))
        await this.#pending.deleteUnheld(block, () =>
          this.#stores.blockstore.delete(block, options.signal ? { signal: options.signal } : {}),
        );
    }
  }

  /** The drop-data fault: loses a fraction of a blob's leaf blocks (for demonstrations only). */
  async #dropLeaves(root: CID, options: { signal?: AbortSignal }) {
    const fraction = this.#options.fault.dropFraction;
    const { dropped, of } = await dropLeaves(this.#stores.blockstore, root, fraction, options);
    this.#logger.warn({ cid: root.toString(), dropped, of }, "fault: dropped leaf blocks");
  }
}

/** The upload's blockstore, each block written taken off its reservation (it counts as used then). */
function spending(blockstore: ImportBlockstore, reservation: Reservation): ImportBlockstore {
  return {
    ...blockstore,
    put: async (cid, bytes, options) => {
      const stored = await blockstore.put(cid, bytes, options);
      reservation.wrote(bytes instanceof Uint8Array ? bytes.byteLength : 0);
      return stored;
    },
  };
}
