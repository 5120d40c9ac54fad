import type { Hex } from "viem";
import type { Logger } from "../../service/logger.ts";
import type { BlobRecords } from "../storage/blob-records.ts";
import type { ChainClient } from "./chain-client.ts";

/** Takes released blobs out of the node's proof set on chain, each once a run. */
export class ProofSetPruner {
  readonly #chain: ChainClient;
  readonly #records: BlobRecords;
  readonly #logger: Logger;
  // blobs pruned this run: their entries stay in the set until the next period starts
  readonly #pruned = new Set<Hex>();

  constructor(deps: { chain: ChainClient; records: BlobRecords; logger: Logger }) {
    this.#chain = deps.chain;
    this.#records = deps.records;
    this.#logger = deps.logger;
  }

  /** Prunes proof-set entries the node holds no record of (released, or lost in a crash). */
  async reconcile(signal?: AbortSignal): Promise<void> {
    const set = await this.#chain.proofs.read.proofSet([this.#chain.nodeId]);
    const orphans: Hex[] = [];
    for (const blobId of set) {
      if (this.#pruned.has(blobId)) continue;
      if (!(await this.#records.get(blobId, { signal }))) orphans.push(blobId);
    }
    await this.prune(orphans, signal);
  }

  /**
   * Removes released blobs from the proof set (they stop being sampled next period). Each is
   * simulated first: one the contract still counts live, or already pruned, is left alone.
   */
  async prune(blobIds: Hex[], signal?: AbortSignal): Promise<void> {
    const nodeId = this.#chain.nodeId;
    const prunable: Hex[] = [];
    for (const blobId of blobIds) {
      if (this.#pruned.has(blobId)) continue;
      try {
        await this.#chain.proofs.simulate.prune([nodeId, [blobId]], { account: this.#chain.account });
        prunable.push(blobId);
      } catch {
        // live for the contract, or not in the set
      }
    }
    if (prunable.length === 0) return;
    try {
      await this.#chain.send(
        "prune",
        async () => {
          const gas = await this.#chain.gasFor((o) =>
            this.#chain.proofs.estimateGas.prune([nodeId, prunable], o),
          );
          return this.#chain.proofs.write.prune([nodeId, prunable], { gas });
        },
        { signal },
      );
      for (const blobId of prunable) this.#pruned.add(blobId);
      this.#logger.info({ blobs: prunable.length }, "pruned from the proof set");
    } catch (error) {
      this.#logger.warn({ err: error }, "prune refused; will retry next sweep");
    }
  }
}
