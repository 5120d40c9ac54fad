import type { Hex } from "viem";
import { type ColdLayout, encodeShards, StripeCodec } from "#protocol";
import type { Logger } from "../../service/logger.ts";
import { certifyShards } from "../chain/attestor.ts";
import type { ChainClient } from "../chain/chain-client.ts";
import type { Registration, Registrations } from "../chain/registrations.ts";
import { BlobNotRegisteredError, ContentMismatchError } from "../errors.ts";
import type { BlobRecords } from "../storage/blob-records.ts";
import type { ColdRebuild, RebuiltBlob } from "./cold-rebuild.ts";
import { coldRegistration } from "./cold-registration.ts";
import type { PeerEndpoints } from "./peer-parts.ts";
import { HolderFailedError, HolderPieces } from "./rebuild-stripes.ts";
import type { ShardIntake, ShardStored } from "./shard-intake.ts";
import { shardRootsOf } from "./shard-roots.ts";
import type { ShardStore } from "./shard-store.ts";

type Signal = { signal?: AbortSignal };

/**
 * Rebuilds this node's lost or reassigned shard from the other holders' repair symbols (about one
 * shard's worth of traffic), falling back to rebuilding the blob and re-encoding it.
 */
export class ShardRepair {
  readonly #chain: ChainClient;
  readonly #registrations: Pick<Registrations, "get">;
  readonly #records: Pick<BlobRecords, "get">;
  readonly #shards: Pick<ShardStore, "size">;
  readonly #peers: Pick<PeerEndpoints, "client">;
  readonly #intake: Pick<ShardIntake, "keep">;
  readonly #rebuild: Pick<ColdRebuild, "rebuild">;
  readonly #logger: Logger;
  readonly #repairing = new Map<string, Promise<void>>();
  readonly #stopping = new AbortController();
  readonly stats = { repairs: 0, repairBytesIn: 0 };

  constructor(deps: {
    chain: ChainClient;
    registrations: Pick<Registrations, "get">;
    records: Pick<BlobRecords, "get">;
    shards: Pick<ShardStore, "size">;
    peers: Pick<PeerEndpoints, "client">;
    intake: Pick<ShardIntake, "keep">;
    rebuild: Pick<ColdRebuild, "rebuild">;
    logger: Logger;
  }) {
    this.#chain = deps.chain;
    this.#registrations = deps.registrations;
    this.#records = deps.records;
    this.#shards = deps.shards;
    this.#peers = deps.peers;
    this.#intake = deps.intake;
    this.#rebuild = deps.rebuild;
    this.#logger = deps.logger;
  }

  /**
   * Rebuilds this node's shard of `blobId` (holder `holder`, its own after a loss or a
   * reassignment) from k other holders' repair symbols, checks it against its commitment, keeps
   * it, enrolls and attests, and submits the attestation with the shard commitments. Falls back
   * to rebuilding the blob and re-encoding it when the repair symbols do not give the committed
   * shard. One repair per blob at a time.
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

  /** Stops repairs in flight. */
  async stop(): Promise<void> {
    this.#stopping.abort(new Error("node stopping"));
    await Promise.allSettled([...this.#repairing.values()]);
  }

  async #repair(blobId: Hex, options: Signal & { force?: boolean }): Promise<void> {
    const { registration, layout } = await coldRegistration(this.#registrations, blobId, options);
    const holder = registration.holders.findIndex((h) => h.nodeId === this.#chain.nodeId);
    if (holder < 0) throw new BlobNotRegisteredError(blobId);
    const record = await this.#records.get(blobId, options);
    const intact = record?.shard && (await this.#shards.size(blobId)) === record.shard.size;
    if (intact && registration.attested & (1 << holder) && !options.force) return;
    const rootsFrom = { records: this.#records, peers: this.#peers, nodeId: this.#chain.nodeId };
    const roots = await shardRootsOf(rootsFrom, registration, options);
    const helpers = registration.holders
      .map((_, index) => index)
      .filter((index) => index !== holder && !(registration.dropped & (1 << index)));
    const keep = (shard: AsyncIterable<Uint8Array>) =>
      this.#intake.keep(registration, layout, holder, roots, shard, options);
    let stored: ShardStored;
    try {
      stored = await keep(this.#repairStream(registration, layout, holder, helpers, options));
    } catch (error) {
      if (!(error instanceof ContentMismatchError || error instanceof HolderFailedError)) throw error;
      this.#logger.warn(
        { blob_id: blobId, err: error.message },
        "repair symbols did not give the shard; re-encoding the blob",
      );
      const rebuilt = await this.#rebuild.rebuild(blobId, options);
      try {
        stored = await keep(partOf(rebuilt, layout, holder));
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
      async (index) => {
        const peer = await this.#peers.client(registration.holders[index]?.nodeId as number);
        return peer.getRepairSymbols(registration.blobId, lost, options);
      },
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
}

/** Holder `holder`'s shard, re-encoded from a rebuilt blob. */
async function* partOf(rebuilt: RebuiltBlob, layout: ColdLayout, holder: number): AsyncGenerator<Uint8Array> {
  for await (const parts of encodeShards(rebuilt.read(), layout))
    yield Uint8Array.from(parts[holder] as Uint8Array);
}
