import { createReadStream } from "node:fs";
import { open, rm } from "node:fs/promises";
import { join } from "node:path";
import { type Hex, toHex } from "viem";
import {
  type ColdLayout,
  cidOfStream,
  coldLayout,
  encodeShards,
  primaryPart,
  StripeCodec,
  shardsRoot,
} from "#protocol";
import { attest, certifyShards, type SignedAttestation } from "../chain/attestor.ts";
import type { ChainClient } from "../chain/chain-client.ts";
import { claimPlace } from "../chain/claim-place.ts";
import { openHolder, type Registration, type Registrations } from "../chain/registrations.ts";
import {
  BlobNotRegisteredError,
  ContentMismatchError,
  InvalidShardsError,
  NotFoundError,
  ShardsUnavailableError,
} from "../errors.ts";
import type { Holdings } from "../holdings.ts";
import type { Logger } from "../logger.ts";
import { type BlobRecord, type BlobRecords, recordOf } from "../storage/blob-records.ts";
import type { PeerEndpoints } from "./peer-parts.ts";
import { HolderFailedError, HolderPieces, rebuildStripes } from "./rebuild-stripes.ts";
import type { ShardStore } from "./shard-store.ts";

export interface ShardStored {
  blobId: Hex;
  cid: string;
  nodeId: number;
  holder: number;
  shardRoot: Hex;
  attestation: SignedAttestation;
}

/** A cold blob rebuilt, its CID checked: in memory, or in a temporary file when large. */
export interface RebuiltBlob {
  cid: string;
  size: number;
  mimeType: string;
  /** Bytes `[offset, offset + length)` (all by default). */
  read(range?: { offset: number; length: number }): AsyncIterable<Uint8Array>;
  /** Lets go of the bytes (removes the file). */
  discard(): Promise<void>;
}

/** Cold blobs up to this size are rebuilt in memory; larger ones into a temporary file. */
export const REBUILD_IN_MEMORY = 128 * 1024 * 1024;

type Signal = { signal?: AbortSignal };

/**
 * The node's cold tier: takes in shards of paid cold registrations (checked against their
 * commitments), serves primary parts, whole shards and repair symbols to other nodes, rebuilds
 * cold blobs from just enough holders for readers, and rebuilds a lost or reassigned shard from
 * the other holders' repair symbols.
 */
export class ColdTier {
  readonly #chain: ChainClient;
  readonly #registrations: Registrations;
  readonly #records: BlobRecords;
  readonly #shards: ShardStore;
  readonly #holdings: Holdings;
  readonly #logger: Logger;
  readonly #peers: PeerEndpoints;
  readonly #tempDir: string;
  readonly #repairing = new Map<string, Promise<void>>();
  readonly #stopping = new AbortController();
  readonly #claimDropped: boolean;
  readonly stats = {
    shardsStored: 0,
    rebuilds: 0,
    rebuiltBytes: 0,
    cidMismatches: 0,
    holdersLeftOut: 0,
    repairs: 0,
    repairBytesIn: 0,
    repairBytesOut: 0,
  };

  constructor(deps: {
    chain: ChainClient;
    registrations: Registrations;
    records: BlobRecords;
    shards: ShardStore;
    holdings: Holdings;
    logger: Logger;
    peers: PeerEndpoints;
    /** Where rebuilt blobs are written while they are read (the shard folder). */
    tempDir: string;
    /** Take over dropped holders' shards of cold blobs this node does not hold. */
    claimDropped: boolean;
  }) {
    this.#claimDropped = deps.claimDropped;
    this.#chain = deps.chain;
    this.#registrations = deps.registrations;
    this.#records = deps.records;
    this.#shards = deps.shards;
    this.#holdings = deps.holdings;
    this.#logger = deps.logger.child({ component: "cold" });
    this.#peers = deps.peers;
    this.#tempDir = deps.tempDir;
  }

  /** The registration of a cold blob, its layout checked against the protocol's. */
  async coldRegistration(
    blobId: Hex,
    options: Signal = {},
  ): Promise<{ registration: Registration; layout: ColdLayout }> {
    const registration = await this.#registrations.get(blobId, options);
    if (!registration) throw new BlobNotRegisteredError(blobId);
    if (registration.tier !== "cold") throw new InvalidShardsError(`blob ${blobId} is not a cold blob`);
    const layout = coldLayout(registration.size, registration.holders.length, registration.recovery);
    if (layout.shardSize !== registration.shardSize) {
      throw new InvalidShardsError(
        `blob ${blobId} registered shards of ${registration.shardSize} bytes; its layout gives ${layout.shardSize}`,
      );
    }
    return { registration, layout };
  }

  /** Checks `roots` are the registration's shard commitments. */
  checkRoots(registration: Registration, roots: readonly string[]): Hex[] {
    if (
      roots.length !== registration.holders.length ||
      roots.some((root) => !/^0x[0-9a-f]{64}$/.test(root))
    ) {
      throw new InvalidShardsError(
        `expected ${registration.holders.length} shard commitments (0x + 64 lowercase hex each)`,
      );
    }
    const root = toHex(shardsRoot(roots.map((r) => Buffer.from(r.slice(2), "hex"))));
    if (root !== registration.commitment) {
      throw new InvalidShardsError(
        `the shard commitments hash to ${root}, not the registered ${registration.commitment}`,
      );
    }
    return roots as Hex[];
  }

  /**
   * Takes in this node's shard of a cold blob: the registration names the node and is open, the
   * shard commitments hash to the registered commitment, the bytes match this holder's one; then
   * the shard is durable, recorded, enrolled and attested.
   */
  async storeShard(
    blobId: Hex,
    source: AsyncIterable<Uint8Array>,
    roots: readonly string[],
    options: Signal = {},
  ): Promise<ShardStored> {
    const { registration, layout } = await this.coldRegistration(blobId, options);
    const holder = openHolder(registration, this.#chain.nodeId);
    const shardRoots = this.checkRoots(registration, roots);
    return this.#keep(registration, layout, holder, shardRoots, source, options);
  }

  /** Writes, records, enrolls and attests holder `holder`'s shard. */
  async #keep(
    registration: Registration,
    layout: ColdLayout,
    holder: number,
    shardRoots: Hex[],
    source: AsyncIterable<Uint8Array>,
    options: Signal,
  ): Promise<ShardStored> {
    const blobId = registration.blobId;
    const existing = await this.#records.get(blobId, options);
    if (!existing) this.#holdings.checkRoom(layout.shardSize);
    const commitment = await this.#shards.write(
      blobId,
      source,
      { size: layout.shardSize, root: shardRoots[holder] as string },
      options,
    );
    const record = recordOf(
      registration,
      holder,
      {
        cid: registration.cid,
        commitment: shardRoots[holder] as Hex,
        groupRoots: Buffer.from(commitment.groupRoots).toString("base64"),
        shard: { size: layout.shardSize, nodes: layout.nodes, recovery: layout.recovery, roots: shardRoots },
      },
      existing?.storedAt ?? Date.now(),
    );
    await this.#holdings.commitRecord(record, !existing, options);
    const attestation = await attest(this.#chain, registration, holder, options);
    this.stats.shardsStored += 1;
    this.#logger.info({ blob_id: blobId, holder, shard_size: layout.shardSize }, "shard stored");
    return {
      blobId,
      cid: registration.cid,
      nodeId: this.#chain.nodeId,
      holder,
      shardRoot: shardRoots[holder] as Hex,
      attestation,
    };
  }

  /** This node's cold record of `blobId`, with its shard on disk. */
  async heldShard(
    blobId: Hex,
    options: Signal = {},
  ): Promise<BlobRecord & { shard: NonNullable<BlobRecord["shard"]> }> {
    const record = await this.#records.get(blobId, options);
    if (!record?.shard || (await this.#shards.size(blobId)) !== record.shard.size) {
      throw new NotFoundError(`shard of ${blobId}`);
    }
    return record as BlobRecord & { shard: NonNullable<BlobRecord["shard"]> };
  }

  /** Streams this node's primary parts (`whole`: its whole shard) of `blobId`. */
  async *serveShard(blobId: Hex, whole: boolean, options: Signal = {}): AsyncGenerator<Uint8Array> {
    const record = await this.heldShard(blobId, options);
    const layout = coldLayout(record.size, record.shard.nodes, record.shard.recovery);
    const part = whole ? { from: 0, length: layout.shardStripeBytes } : primaryPart(layout, record.holder);
    yield* this.#shards.stripes(blobId, layout, part, options);
  }

  /** Streams, stripe by stripe, the repair symbols this node's shard gives toward holder `lost`'s. */
  async *serveRepairSymbols(blobId: Hex, lost: number, options: Signal = {}): AsyncGenerator<Uint8Array> {
    const record = await this.heldShard(blobId, options);
    if (!Number.isInteger(lost) || lost < 0 || lost >= record.shard.nodes || lost === record.holder) {
      throw new InvalidShardsError(`holder ${lost} is not another holder of ${blobId}`);
    }
    const layout = coldLayout(record.size, record.shard.nodes, record.shard.recovery);
    const codec = new StripeCodec(layout);
    for await (const part of this.#shards.stripes(
      blobId,
      layout,
      { from: 0, length: layout.shardStripeBytes },
      options,
    )) {
      const out = new Uint8Array(layout.symbolSize);
      codec.repairSymbols(lost, part, out);
      this.stats.repairBytesOut += out.length;
      yield out;
    }
  }

  /** The shard commitments of a cold blob: this node's record, else another holder's, checked. */
  async shardRootsOf(registration: Registration, options: Signal = {}): Promise<Hex[]> {
    const record = await this.#records.get(registration.blobId, options);
    if (record?.shard) return record.shard.roots;
    let lastError: unknown;
    for (const [index, holder] of registration.holders.entries()) {
      if (holder.nodeId === this.#chain.nodeId || registration.dropped & (1 << index)) continue;
      try {
        const body = await this.#peers.get(
          holder.nodeId,
          `/shard/${registration.blobId}/meta`,
          options.signal,
        );
        const chunks: Uint8Array[] = [];
        for await (const chunk of body) chunks.push(chunk);
        const meta = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { shardRoots: string[] };
        return this.checkRoots(registration, meta.shardRoots);
      } catch (error) {
        options.signal?.throwIfAborted();
        lastError = error;
      }
    }
    throw new ShardsUnavailableError(registration.blobId, 0, 1, { cause: lastError });
  }

  /**
   * Rebuilds cold blob `blobId` into a temporary file from just enough holders, read in parallel,
   * and checks it against the registered CID. A fast pass reads primary parts only (with holders
   * 0..k-1 up, exactly the blob's bytes); if a holder fails or the CID does not match, whole
   * shards are read and each checked against its commitment, leaving out holders that failed,
   * until the blob comes out right or too few remain.
   */
  async rebuild(blobId: Hex, options: Signal = {}): Promise<RebuiltBlob> {
    const { registration, layout } = await this.coldRegistration(blobId, options);
    const roots = await this.shardRootsOf(registration, options);
    const excluded = new Set<number>();
    registration.holders.forEach((_, index) => {
      if (registration.dropped & (1 << index)) excluded.add(index);
    });
    let verified = false;
    const started = performance.now();
    for (;;) {
      const candidates = registration.holders
        .map((_, index) => index)
        .filter((index) => !excluded.has(index));
      if (candidates.length < layout.recovery) {
        throw new ShardsUnavailableError(blobId, candidates.length, layout.recovery);
      }
      const sink =
        layout.size <= REBUILD_IN_MEMORY
          ? memorySink()
          : await fileSink(join(this.#tempDir, `rebuild-${blobId}-${process.pid}-${Date.now()}.tmp`));
      try {
        const stripes = rebuildStripes({
          blobId,
          layout,
          candidates,
          open: (index, whole, signal) => this.#openPart(registration, index, whole, signal),
          ...(verified ? { shardRoots: roots } : {}),
          ...options,
        });
        async function* kept() {
          for await (const chunk of stripes) {
            await sink.write(chunk);
            yield chunk;
          }
        }
        const cid = (await cidOfStream(kept(), options)).toString();
        await sink.close();
        if (cid !== registration.cid) {
          await sink.discard();
          this.stats.cidMismatches += 1;
          if (verified) throw new ContentMismatchError("cid", registration.cid, cid);
          this.#logger.warn({ blob_id: blobId, cid }, "rebuilt blob has the wrong CID; reading whole shards");
          verified = true;
          continue;
        }
        this.stats.rebuilds += 1;
        this.stats.rebuiltBytes += layout.size;
        this.#logger.info(
          { blob_id: blobId, size: layout.size, verified, ms: Math.round(performance.now() - started) },
          "cold blob rebuilt",
        );
        return {
          cid,
          size: layout.size,
          mimeType: registration.mimeType,
          read: sink.read,
          discard: sink.discard,
        };
      } catch (error) {
        await sink.discard();
        if (!(error instanceof HolderFailedError)) throw error;
        this.#logger.warn(
          { blob_id: blobId, holder: error.holder, err: error.message },
          "shard holder left out",
        );
        excluded.add(error.holder);
        this.stats.holdersLeftOut += 1;
        verified = true;
      }
    }
  }

  async #openPart(registration: Registration, index: number, whole: boolean, signal?: AbortSignal) {
    const holder = registration.holders[index];
    if (!holder) throw new Error(`no holder ${index}`);
    if (holder.nodeId === this.#chain.nodeId) return this.serveShard(registration.blobId, whole, { signal });
    return this.#peers.get(
      holder.nodeId,
      `/shard/${registration.blobId}?part=${whole ? "whole" : "primary"}`,
      signal,
    );
  }

  /**
   * Rebuilds this node's shard of `blobId` (holder `holder`, its own after a loss or a
   * reassignment) from k other holders' repair symbols, about one shard's worth of traffic,
   * checks it against its commitment, keeps it, enrolls and attests, and submits the attestation
   * with the shard commitments. Falls back to rebuilding the blob and re-encoding it when the
   * repair symbols do not give the committed shard. One repair per blob at a time.
   */
  repair(blobId: Hex, options: Signal & { force?: boolean } = {}): Promise<void> {
    const running = this.#repairing.get(blobId);
    if (running) return running;
    const signal = options.signal
      ? AbortSignal.any([options.signal, this.#stopping.signal])
      : this.#stopping.signal;
    const task = this.#repair(blobId, { ...options, signal }).finally(() => this.#repairing.delete(blobId));
    this.#repairing.set(blobId, task);
    return task;
  }

  /** Repairs in the background (the prover found the shard damaged, or it was assigned here). */
  repairSoon(blobId: Hex, force = false): void {
    this.repair(blobId, { force }).catch((error) => {
      if (!this.#stopping.signal.aborted)
        this.#logger.error({ blob_id: blobId, err: error }, "shard repair failed");
    });
  }

  /**
   * Another node's shard of a cold blob was left open by a drop: if this node holds no shard of
   * it and may take one (the chain decides: simulated first), it claims the shard and rebuilds it.
   */
  claimSoon(blobId: Hex, holder: number): void {
    if (!this.#claimDropped) return;
    const signal = this.#stopping.signal;
    (async () => {
      const registration = await this.#registrations.get(blobId, { signal });
      if (registration?.tier !== "cold" || registration.status !== "certified") return;
      if (registration.holders.some((h) => h.nodeId === this.#chain.nodeId)) return;
      if (!(await claimPlace(this.#chain, blobId, holder, { signal }))) return;
      this.#logger.info({ blob_id: blobId, holder }, "took over a dropped holder's shard");
      await this.repair(blobId);
    })().catch((error) => {
      if (!signal.aborted)
        this.#logger.warn({ blob_id: blobId, holder, err: error }, "could not take over the shard");
    });
  }

  /** Stops repairs and claims in flight. */
  async stop(): Promise<void> {
    this.#stopping.abort(new Error("node stopping"));
    await Promise.allSettled([...this.#repairing.values()]);
  }

  async #repair(blobId: Hex, options: Signal & { force?: boolean }): Promise<void> {
    const { registration, layout } = await this.coldRegistration(blobId, options);
    const holder = registration.holders.findIndex((h) => h.nodeId === this.#chain.nodeId);
    if (holder < 0) throw new BlobNotRegisteredError(blobId);
    const record = await this.#records.get(blobId, options);
    const intact = record?.shard && (await this.#shards.size(blobId)) === record.shard.size;
    if (intact && registration.attested & (1 << holder) && !options.force) return;
    const roots = await this.shardRootsOf(registration, options);
    const helpers = registration.holders
      .map((_, index) => index)
      .filter((index) => index !== holder && !(registration.dropped & (1 << index)));
    const keep = (shard: AsyncIterable<Uint8Array>) =>
      this.#keep(registration, layout, holder, roots, shard, options);
    let stored: ShardStored;
    try {
      stored = await keep(this.#repairStream(registration, layout, holder, helpers, options));
    } catch (error) {
      if (!(error instanceof ContentMismatchError || error instanceof HolderFailedError)) throw error;
      this.#logger.warn(
        { blob_id: blobId, err: error.message },
        "repair symbols did not give the shard; re-encoding the blob",
      );
      const rebuilt = await this.rebuild(blobId, options);
      try {
        stored = await keep(this.#partOf(rebuilt, layout, holder));
      } finally {
        await rebuilt.discard();
      }
    }
    if (!(registration.attested & (1 << holder)) || registration.status === "registered") {
      await certifyShards(this.#chain, blobId, [stored.attestation], roots, options);
    }
    this.stats.repairs += 1;
    this.#logger.info({ blob_id: blobId, holder }, "shard repaired");
  }

  /** Holder `lost`'s shard, stripe by stripe, from k helpers' repair symbols. */
  async *#repairStream(
    registration: Registration,
    layout: ColdLayout,
    lost: number,
    helpers: number[],
    options: Signal,
  ): AsyncGenerator<Uint8Array> {
    const codec = new StripeCodec(layout);
    const pieces = await HolderPieces.open(
      registration.blobId,
      layout.nodes,
      helpers,
      layout.recovery,
      (index) =>
        this.#peers.get(
          registration.holders[index]?.nodeId as number,
          `/shard/${registration.blobId}/repair?lost=${lost}`,
          options.signal,
        ),
      options.signal,
    );
    try {
      for (let t = 0; t < layout.stripes; t += 1) {
        const symbols = await pieces.next(() => layout.symbolSize, options.signal);
        this.stats.repairBytesIn += layout.recovery * layout.symbolSize;
        const part = new Uint8Array(layout.shardStripeBytes);
        codec.repair(symbols, part);
        yield part;
      }
    } finally {
      await pieces.close();
    }
  }

  /** Holder `holder`'s shard, re-encoded from a rebuilt blob. */
  async *#partOf(rebuilt: RebuiltBlob, layout: ColdLayout, holder: number): AsyncGenerator<Uint8Array> {
    for await (const parts of encodeShards(rebuilt.read(), layout))
      yield Uint8Array.from(parts[holder] as Uint8Array);
  }
}

interface RebuildSink {
  write(chunk: Uint8Array): Promise<void>;
  close(): Promise<void>;
  read(range?: { offset: number; length: number }): AsyncIterable<Uint8Array>;
  discard(): Promise<void>;
}

/** Keeps the rebuilt stripes as they are. */
function memorySink(): RebuildSink {
  let chunks: Uint8Array[] = [];
  return {
    async write(chunk) {
      chunks.push(chunk);
    },
    async close() {},
    async *read(range) {
      const start = range?.offset ?? 0;
      const end = range ? range.offset + range.length : Number.POSITIVE_INFINITY;
      let at = 0;
      for (const chunk of chunks) {
        const from = Math.max(start - at, 0);
        const to = Math.min(end - at, chunk.length);
        if (from < to) yield chunk.subarray(from, to);
        at += chunk.length;
        if (at >= end) return;
      }
    },
    async discard() {
      chunks = [];
    },
  };
}

/** Writes the rebuilt stripes to a temporary file (large blobs). */
async function fileSink(path: string): Promise<RebuildSink> {
  const file = await open(path, "w");
  let closed = false;
  return {
    async write(chunk) {
      await file.write(chunk);
    },
    async close() {
      closed = true;
      await file.close();
    },
    read(range) {
      const bounds = range ? { start: range.offset, end: range.offset + range.length - 1 } : {};
      return createReadStream(path, { ...bounds, highWaterMark: 1024 * 1024 });
    },
    async discard() {
      if (!closed) await file.close().catch(() => undefined);
      closed = true;
      await rm(path, { force: true });
    },
  };
}
