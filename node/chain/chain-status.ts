import type { Hex } from "viem";
import type { NodeChainStatus } from "../../api/node/node-stats.ts";
import { contractRevert } from "../../service/contract-revert.ts";
import type { Logger } from "../../service/logger.ts";
import type { BlobRecord } from "../storage/blob-records.ts";
import type { ChainClient } from "./chain-client.ts";

/** What is read from the chain in one go, at one block. */
export interface ChainAccount {
  block: bigint;
  operator: string;
  jailed: boolean;
  active: boolean;
  dropped: boolean;
  missesInRow: number;
  stake: bigint;
  minStake: bigint;
  signerGas: bigint;
  unclaimed: { blobs: bigint; marketCredit: bigint; vaultCredit: bigint };
}

/** The blobs a claim can name: held, on chain, and not dropped from. */
export type Claimable = Pick<BlobRecord, "blobId" | "holder">;

/** Of the node's records, those a claim can name: certified or ended, and not dropped from. */
export async function* claimableBlobs(records: AsyncIterable<BlobRecord>): AsyncGenerator<Claimable> {
  for await (const record of records) if (record.state !== "pending" && !record.dropped) yield record;
}

/** Blobs per simulated claim (one eth_call each). */
const CLAIM_BATCH = 100;

/**
 * Reads the node's account from the chain at one block: registry entry and stake, the minimum,
 * the proof system's standing, the signer's gas, and what a claim would pay (simulated: the
 * market's `claim` on every held blob, batch by batch, plus its credit, and the vault registry's
 * credit). Simulation is exact where recomputing the pay rule would not be: the chain's own code
 * runs, nothing is sent.
 */
export function readChainAccount(
  chain: Pick<
    ChainClient,
    "nodeId" | "account" | "publicClient" | "registry" | "proofs" | "market" | "vaults"
  >,
  blobs: () => AsyncIterable<Claimable>,
) {
  return async (): Promise<ChainAccount> => {
    const nodeId = chain.nodeId;
    const blockNumber = await chain.publicClient.getBlockNumber();
    const at = { blockNumber };
    const [node, active, minStake, [missesInRow, dropped], signerGas, marketCredit, vaultCredit] =
      await Promise.all([
        chain.registry.read.getNode([nodeId], at),
        chain.registry.read.isActive([nodeId], at),
        chain.registry.read.minStake(at),
        chain.proofs.read.nodeStanding([nodeId], at),
        chain.publicClient.getBalance({ address: chain.account.address, blockNumber }),
        chain.market.read.creditOf([nodeId], at),
        chain.vaults.read.creditOf([nodeId], at),
      ]);
    let earned = 0n;
    let batch: Claimable[] = [];
    const claim = async () => {
      earned += await simulateClaim(chain, batch, marketCredit, blockNumber);
      batch = [];
    };
    for await (const blob of blobs()) {
      batch.push(blob);
      if (batch.length >= CLAIM_BATCH) await claim();
    }
    if (batch.length > 0) await claim();
    return {
      block: blockNumber,
      operator: node.operator,
      jailed: node.jailed,
      active,
      dropped,
      missesInRow: Number(missesInRow),
      stake: node.stake,
      minStake,
      signerGas,
      unclaimed: { blobs: earned, marketCredit, vaultCredit },
    };
  };
}

/**
 * What `claim` would pay on `batch` beyond the node's credit. A blob the chain no longer has this
 * node at (`StorageMarketUnknownHolder`: reorged away, taken over) is left out and the rest tried
 * again; nothing owed (`StorageMarketNothingToClaim`) is 0.
 */
async function simulateClaim(
  chain: Pick<ChainClient, "nodeId" | "account" | "market">,
  batch: Claimable[],
  credit: bigint,
  blockNumber: bigint,
): Promise<bigint> {
  let blobs = batch;
  while (blobs.length > 0) {
    try {
      const { result } = await chain.market.simulate.claim(
        [chain.nodeId, blobs.map((b) => b.blobId), blobs.map((b) => b.holder)],
        { account: chain.account, blockNumber },
      );
      return result > credit ? result - credit : 0n;
    } catch (error) {
      const revert = contractRevert(error);
      if (revert?.name === "StorageMarketNothingToClaim") return 0n;
      if (revert?.name !== "StorageMarketUnknownHolder") throw error;
      const unknown = String(revert.args[0]).toLowerCase() as Hex;
      const left = blobs.filter((b) => b.blobId.toLowerCase() !== unknown);
      if (left.length === blobs.length) throw error;
      blobs = left;
    }
  }
  return 0n;
}

/**
 * The node's account on chain for /stats and /metrics: read at most every `maxAgeMs`, one read
 * at a time, and never waited on for more than `waitMs` (an AbortSignal timeout): when the chain
 * is slow or down, the request is answered with the last values known, marked stale, and the read
 * goes on in the background to serve the next request.
 */
export class ChainStatus {
  readonly #read: () => Promise<ChainAccount>;
  readonly #signer: string;
  readonly #logger: Logger | undefined;
  readonly #maxAgeMs: number;
  readonly #waitMs: number;
  #last: { account: ChainAccount; at: number } | undefined;
  #error: string | undefined;
  #attemptAt = 0;
  #reading: Promise<void> | undefined;

  constructor(deps: {
    read: () => Promise<ChainAccount>;
    signer: string;
    logger?: Logger;
    maxAgeMs?: number;
    waitMs?: number;
  }) {
    this.#read = deps.read;
    this.#signer = deps.signer;
    this.#logger = deps.logger?.child({ component: "chain-status" });
    this.#maxAgeMs = deps.maxAgeMs ?? 10_000;
    this.#waitMs = deps.waitMs ?? 1_500;
  }

  /** The status, read again first if older than `maxAgeMs` (waiting at most `waitMs` for it). */
  async current(): Promise<NodeChainStatus> {
    if (Date.now() - this.#attemptAt >= this.#maxAgeMs) {
      this.#attemptAt = Date.now();
      this.#reading ??= this.#refresh().finally(() => {
        this.#reading = undefined;
      });
    }
    if (this.#reading) await settledWithin(this.#reading, AbortSignal.timeout(this.#waitMs));
    return this.view();
  }

  /** The last values known, without reading. */
  view(): NodeChainStatus {
    const last = this.#last;
    const account = last?.account;
    const stale = !last || this.#error !== undefined || this.#reading !== undefined;
    const amount = (value: bigint | undefined) => (value === undefined ? null : value.toString());
    const unclaimed = account?.unclaimed;
    return {
      readAt: last ? new Date(last.at).toISOString() : null,
      block: account ? account.block.toString() : null,
      stale,
      error: this.#error ?? null,
      standing: !account ? "unknown" : account.dropped ? "dropped" : account.active ? "active" : "inactive",
      jailed: account?.jailed ?? null,
      missesInRow: account?.missesInRow ?? null,
      operator: account?.operator ?? null,
      signer: this.#signer,
      stake: amount(account?.stake),
      minStake: amount(account?.minStake),
      signerGas: amount(account?.signerGas),
      unclaimedPay: unclaimed
        ? (unclaimed.blobs + unclaimed.marketCredit + unclaimed.vaultCredit).toString()
        : null,
      unclaimed: unclaimed
        ? {
            blobs: unclaimed.blobs.toString(),
            marketCredit: unclaimed.marketCredit.toString(),
            vaultCredit: unclaimed.vaultCredit.toString(),
          }
        : null,
    };
  }

  async #refresh(): Promise<void> {
    try {
      const account = await this.#read();
      this.#last = { account, at: Date.now() };
      this.#error = undefined;
    } catch (error) {
      const message = (error as Error).message.split("\n")[0] ?? String(error);
      if (this.#error === undefined)
        this.#logger?.warn(
          { err: error },
          "cannot read the node's account from the chain; answering the last known",
        );
      this.#error = message.slice(0, 300);
    }
  }
}

/** Resolves when `promise` settles or `signal` aborts, whichever comes first; never rejects. */
function settledWithin(promise: Promise<unknown>, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      signal.removeEventListener("abort", done);
      resolve();
    };
    signal.addEventListener("abort", done, { once: true });
    promise.then(done, done);
  });
}
