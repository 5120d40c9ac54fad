import { join } from "node:path";
import type { Hex } from "viem";
import { type ColdLayout, cidOfStream } from "#protocol";
import type { Logger } from "../../service/logger.ts";
import type { ChainClient } from "../chain/chain-client.ts";
import type { Registration, Registrations } from "../chain/registrations.ts";
import { ContentMismatchError, ShardsUnavailableError } from "../errors.ts";
import type { BlobRecords } from "../storage/blob-records.ts";
import { coldRegistration } from "./cold-registration.ts";
import type { PeerEndpoints } from "./peer-parts.ts";
import { fileSink, memorySink, type RebuildSink } from "./rebuild-sink.ts";
import { HolderFailedError, rebuildStripes } from "./rebuild-stripes.ts";
import { shardRootsOf } from "./shard-roots.ts";
import type { ShardServing } from "./shard-serving.ts";

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

/** Rebuilds cold blobs from just enough holders, for readers (lazy loading) and re-encoding repairs. */
export class ColdRebuild {
  readonly #chain: Pick<ChainClient, "nodeId">;
  readonly #registrations: Pick<Registrations, "get">;
  readonly #records: Pick<BlobRecords, "get">;
  readonly #peers: Pick<PeerEndpoints, "client">;
  readonly #serving: Pick<ShardServing, "serveShard">;
  readonly #tempDir: string;
  readonly #logger: Logger;
  readonly stats = { rebuilds: 0, rebuiltBytes: 0, cidMismatches: 0, holdersLeftOut: 0 };

  constructor(deps: {
    chain: Pick<ChainClient, "nodeId">;
    registrations: Pick<Registrations, "get">;
    records: Pick<BlobRecords, "get">;
    peers: Pick<PeerEndpoints, "client">;
    /** This node's own shard, read in place. */
    serving: Pick<ShardServing, "serveShard">;
    /** Where rebuilt blobs are written while they are read (the shard folder). */
    tempDir: string;
    logger: Logger;
  }) {
    this.#chain = deps.chain;
    this.#registrations = deps.registrations;
    this.#records = deps.records;
    this.#peers = deps.peers;
    this.#serving = deps.serving;
    this.#tempDir = deps.tempDir;
    this.#logger = deps.logger;
  }

  /**
   * Rebuilds cold blob `blobId` into a temporary file from just enough holders, read in parallel,
   * and checks it against the registered CID. A fast pass reads primary parts only (with holders
   * 0..k-1 up, exactly the blob's bytes); if a holder fails or the CID does not match, whole
   * shards are read and each checked against its commitment, leaving out holders that failed,
   * until the blob comes out right or too few remain.
   */
  async rebuild(blobId: Hex, options: Signal = {}): Promise<RebuiltBlob> {
    const { registration, layout } = await coldRegistration(this.#registrations, blobId, options);
    const rootsFrom = { records: this.#records, peers: this.#peers, nodeId: this.#chain.nodeId };
    const roots = await shardRootsOf(rootsFrom, registration, options);
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
      const sink = await this.#sink(blobId, layout.size);
      try {
        const shardRoots = verified ? roots : undefined;
        const cid = await this.#pass(registration, layout, candidates, shardRoots, sink, options);
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
        const ms = Math.round(performance.now() - started);
        this.#logger.info({ blob_id: blobId, size: layout.size, verified, ms }, "cold blob rebuilt");
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

  /** In memory for small blobs, else a temporary file in the shard folder. */
  async #sink(blobId: Hex, size: number): Promise<RebuildSink> {
    if (size <= REBUILD_IN_MEMORY) return memorySink();
    return fileSink(join(this.#tempDir, `rebuild-${blobId}-${process.pid}-${Date.now()}.tmp`));
  }

  /** One pass over `candidates`: the stripes go to `sink`; resolves with the CID they give. */
  async #pass(
    registration: Registration,
    layout: ColdLayout,
    candidates: number[],
    shardRoots: Hex[] | undefined,
    sink: RebuildSink,
    options: Signal,
  ): Promise<string> {
    const stripes = rebuildStripes({
      blobId: registration.blobId,
      layout,
      candidates,
      open: (index, whole, signal) => this.#openPart(registration, index, whole, signal),
      ...(shardRoots ? { shardRoots } : {}),
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
    return cid;
  }

  async #openPart(registration: Registration, index: number, whole: boolean, signal?: AbortSignal) {
    const holder = registration.holders[index];
    if (!holder) throw new Error(`no holder ${index}`);
    if (holder.nodeId === this.#chain.nodeId)
      return this.#serving.serveShard(registration.blobId, whole, { signal });
    const peer = await this.#peers.client(holder.nodeId);
    return peer.getShardPart(registration.blobId, whole ? "whole" : "primary", { signal });
  }
}
