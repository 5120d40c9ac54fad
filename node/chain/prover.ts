import toBuffer from "it-to-buffer";
import { CID } from "multiformats/cid";
import { concat, toHex, zeroHash } from "viem";
import { GROUP_BYTES, hashGroup, proofFromGroup } from "#protocol";
import type { Logger } from "../../service/logger.ts";
import { Ticker } from "../../service/ticker.ts";
import type { ShardStore } from "../cold/shard-store.ts";
import type { NodeMetrics } from "../metrics.ts";
import type { BlobRecord, BlobRecords } from "../storage/blob-records.ts";
import type { NodeStores } from "../storage/open-stores.ts";
import { readFileRange } from "../storage/read-file.ts";
import { backoffMs, type ChainClient, revertName } from "./chain-client.ts";

interface Challenge {
  blobId: `0x${string}`;
  leafIndex: bigint;
  size: bigint;
  root: `0x${string}`;
}

/**
 * Proves the node's storage every period, in chain time: asks the chain each pass whether the
 * current period is proven (a proof mined and then reorged away is sent again), commits the
 * period's seed if nobody did, and proves as soon as the seed is known, from local data only (the
 * raw blockstore, never the network). A failed attempt is retried with backoff (250 ms doubling
 * to 8 s) within the period. A node the chain dropped stops proving; its standing is read again
 * once a period. A period counts as missed only if the chain says it ended unproven.
 */
export class Prover {
  readonly #chain: ChainClient;
  readonly #records: BlobRecords;
  readonly #stores: NodeStores;
  readonly #metrics: NodeMetrics;
  readonly #logger: Logger;
  readonly #ticker: Ticker;
  readonly #shards: ShardStore;
  readonly #onShardLost: (blobId: `0x${string}`) => void;
  /** The period the node is in, as the chain last said. */
  #period = -1;
  /** The last period the node was challenged in. */
  #owed = -1;
  /** The last period the node found it had nothing to prove. */
  #idle = -1;
  #dropped = false;
  #failures = 0;
  #retryAt = 0;
  #lastProven: number | null = null;

  constructor(deps: {
    chain: ChainClient;
    records: BlobRecords;
    stores: NodeStores;
    metrics: NodeMetrics;
    logger: Logger;
    pollMs: number;
    shards: ShardStore;
    /** Called when a challenged shard is missing or damaged (the cold tier repairs it). */
    onShardLost: (blobId: `0x${string}`) => void;
  }) {
    this.#shards = deps.shards;
    this.#onShardLost = deps.onShardLost;
    this.#chain = deps.chain;
    this.#records = deps.records;
    this.#stores = deps.stores;
    this.#metrics = deps.metrics;
    this.#logger = deps.logger.child({ component: "prover" });
    this.#ticker = new Ticker("prover", deps.pollMs, (signal) => this.tick(signal), this.#logger);
  }

  start(): void {
    this.#ticker.start();
  }

  stop(): Promise<void> {
    return this.#ticker.stop();
  }

  stats() {
    return {
      submitted: this.#metrics.proofsSubmitted,
      missed: this.#metrics.proofsMissed,
      lastPeriod: this.#lastProven,
      dropped: this.#dropped,
    };
  }

  /** One pass: on a new period, settle the last one; then, unless dropped or backing off, get this one proven. */
  async tick(signal?: AbortSignal): Promise<void> {
    const period = Number(await this.#chain.proofs.read.currentPeriod());
    if (period !== this.#period) await this.#enter(period);
    if (this.#dropped || this.#idle === period || Date.now() < this.#retryAt) return;
    try {
      await this.#prove(period, signal);
      this.#failures = 0;
    } catch (error) {
      if (signal?.aborted) throw error;
      if (revertName(error) === "ProofsNodeDropped") {
        this.#dropped = true;
        this.#logger.error({ period }, "this node was dropped: no more proofs");
        return;
      }
      this.#failures += 1;
      this.#metrics.proofsFailed += 1;
      const wait = backoffMs(this.#failures);
      this.#retryAt = Date.now() + wait;
      this.#logger.warn(
        { period, attempt: this.#failures, retry_in_ms: wait, err: error },
        "proof failed; retrying",
      );
    }
  }

  /** Counts the period just left as missed if the chain says it ended unproven; reads the standing. */
  async #enter(period: number): Promise<void> {
    const { proofs } = this.#chain;
    const nodeId = this.#chain.nodeId;
    const left = this.#period;
    const missed = left >= 0 && this.#owed === left && !(await proofs.read.isProven([nodeId, left]));
    const [, dropped] = await proofs.read.nodeStanding([nodeId]);
    this.#period = period;
    this.#failures = 0;
    this.#retryAt = 0;
    if (missed) {
      this.#metrics.proofsMissed += 1;
      this.#logger.error({ period: left }, "period ended unproven");
    }
    if (dropped && !this.#dropped) this.#logger.error({ period }, "this node was dropped: no more proofs");
    this.#dropped = dropped;
  }

  async #prove(period: number, signal?: AbortSignal): Promise<void> {
    const { proofs } = this.#chain;
    const nodeId = this.#chain.nodeId;
    if (await proofs.read.isProven([nodeId, period])) {
      this.#lastProven = period;
      return;
    }
    if ((await proofs.read.seedOf([period])) === zeroHash) {
      // the seed is the hash of the block after the commitment: it comes with the next blocks
      if ((await proofs.read.seedBlockOf([period])) === 0n) {
        await this.#chain.send(
          "commitSeed",
          async () =>
            proofs.write.commitSeed({
              gas: await this.#chain.gasFor((o) => proofs.estimateGas.commitSeed(o)),
            }),
          { signal },
        );
      }
      return;
    }
    const challenges = (await proofs.read.challenges([nodeId])) as readonly Challenge[];
    // no samples is either no set at the period's start (nothing owed) or a set whose every draw
    // was void (docs/protocol.md §3.5): that period is owed all the same, with an empty proof
    if (challenges.length > 0) this.#owed = period;
    const proof = await this.#build(challenges, signal);
    try {
      await proofs.simulate.submitProof([nodeId, proof], { account: this.#chain.account });
    } catch (error) {
      const name = revertName(error);
      if (name === "ProofsNotChallenged") this.#idle = period;
      if (name === "ProofsNotChallenged" || name === "ProofsAlreadyProven") return;
      throw error;
    }
    this.#owed = period;
    await this.#chain.send(
      "submitProof",
      async () => {
        const gas = await this.#chain.gasFor((o) => proofs.estimateGas.submitProof([nodeId, proof], o));
        return proofs.write.submitProof([nodeId, proof], { gas });
      },
      { signal },
    );
    if (this.#lastProven !== period) this.#metrics.proofsSubmitted += 1;
    this.#lastProven = period;
    this.#logger.info({ period, samples: challenges.length, bytes: (proof.length - 2) / 2 }, "period proven");
  }

  /** The proof of `challenges`, read from the node's own blockstore. */
  async #build(challenges: readonly Challenge[], signal?: AbortSignal): Promise<`0x${string}`> {
    const parts: Uint8Array[] = [];
    for (const challenge of challenges) {
      const record = await this.#records.get(challenge.blobId, { signal });
      if (!record) throw new Error(`challenged on ${challenge.blobId}, which this node does not hold`);
      const leaf = Number(challenge.leafIndex);
      const group = leaf >> 12;
      const offset = group * GROUP_BYTES;
      if (record.shard) {
        parts.push(await this.#shardProof(record, leaf, offset, signal));
        continue;
      }
      const length = Math.min(GROUP_BYTES, record.size - offset);
      const bytes = await toBuffer(
        readFileRange(
          this.#stores.reads,
          CID.parse(record.cid),
          { offset, length },
          { signal, readAhead: 2 },
        ),
      );
      const commitment = {
        root: Buffer.from(record.commitment.slice(2), "hex"),
        size: record.size,
        groupRoots: Buffer.from(record.groupRoots, "base64"),
      };
      parts.push(proofFromGroup(commitment, leaf, bytes));
    }
    return parts.length === 0 ? "0x" : concat(parts.map((part) => toHex(part)));
  }

  /** The proof of leaf `leaf` of this node's cold shard; a missing or damaged shard is reported lost. */
  async #shardProof(
    record: BlobRecord & { shard?: { size: number } },
    leaf: number,
    offset: number,
    signal?: AbortSignal,
  ): Promise<Uint8Array> {
    const size = record.shard?.size ?? 0;
    const length = Math.min(GROUP_BYTES, size - offset);
    const groupRoots = Buffer.from(record.groupRoots, "base64");
    const bytes = await this.#shards.read(record.blobId, offset, length, { signal }).catch(() => undefined);
    const expected = groupRoots.subarray((offset / GROUP_BYTES) * 32, (offset / GROUP_BYTES) * 32 + 32);
    if (!bytes || bytes.length !== length || !Buffer.from(await hashGroup(bytes)).equals(expected)) {
      this.#logger.error({ blob_id: record.blobId }, "challenged shard is missing or damaged; repairing it");
      this.#onShardLost(record.blobId);
      throw new Error(`shard of ${record.blobId} is missing or damaged`);
    }
    const commitment = { root: Buffer.from(record.commitment.slice(2), "hex"), size, groupRoots };
    return proofFromGroup(commitment, leaf, bytes);
  }
}
