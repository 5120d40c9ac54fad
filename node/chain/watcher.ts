import type { Datastore } from "interface-datastore";
import { Key } from "interface-datastore";
import { type Hex, parseEventLogs } from "viem";
import { proofSystemAbi, storageMarketAbi } from "#protocol";
import type { Holdings } from "../holdings.ts";
import type { Logger } from "../logger.ts";
import type { Reader } from "../reader.ts";
import type { BlobRecords } from "../storage/blob-records.ts";
import type { ChainClient } from "./chain-client.ts";
import type { Registrations } from "./registrations.ts";
import { Ticker } from "./ticker.ts";

const CURSOR = new Key("/strata/watcher/cursor");
const MAX_RANGE = 2_000n;

/**
 * Follows the chain for this node: registrations (remembered for uploads), certifications and
 * extensions (the term of held blobs), deletions, reclaims, settlements and drops (held copies
 * released), and the end of terms and certification deadlines (released too). Blobs released
 * while still in the node's proof set are pruned from it. Cold shards handed to this node, and
 * other holders' shards left open by a drop, go to the cold tier.
 */
export class ChainWatcher {
  readonly #chain: ChainClient;
  readonly #registrations: Registrations;
  readonly #records: BlobRecords;
  readonly #holdings: Holdings;
  readonly #reader: Reader;
  readonly #datastore: Datastore;
  readonly #logger: Logger;
  readonly #ticker: Ticker;
  readonly #cold: { assigned(blobId: Hex): void; dropped(blobId: Hex, holder: number): void } | undefined;
  #lastSweptPeriod = -1;
  // blobs pruned this run: their entries stay in the set until the next period starts
  readonly #pruned = new Set<Hex>();

  constructor(deps: {
    chain: ChainClient;
    registrations: Registrations;
    records: BlobRecords;
    holdings: Holdings;
    reader: Reader;
    datastore: Datastore;
    logger: Logger;
    pollMs: number;
    /** The cold tier's part: a shard handed to this node, another node's shard left open. */
    cold?: { assigned(blobId: Hex): void; dropped(blobId: Hex, holder: number): void };
  }) {
    this.#cold = deps.cold;
    this.#chain = deps.chain;
    this.#registrations = deps.registrations;
    this.#records = deps.records;
    this.#holdings = deps.holdings;
    this.#reader = deps.reader;
    this.#datastore = deps.datastore;
    this.#logger = deps.logger.child({ component: "watcher" });
    this.#ticker = new Ticker("watcher", deps.pollMs, (signal) => this.tick(signal), this.#logger);
  }

  start(): void {
    this.#ticker.start();
  }

  stop(): Promise<void> {
    return this.#ticker.stop();
  }

  /** One pass: new events up to the head, then the sweep of ended terms and deadlines. */
  async tick(signal?: AbortSignal): Promise<void> {
    const head = await this.#chain.publicClient.getBlockNumber();
    for (let from = await this.#cursor(); from <= head; ) {
      signal?.throwIfAborted();
      const to = from + MAX_RANGE - 1n < head ? from + MAX_RANGE - 1n : head;
      const { contracts } = this.#chain.deployment;
      const logs = await this.#chain.publicClient.getLogs({
        address: [contracts.market, contracts.proofSystem],
        fromBlock: from,
        toBlock: to,
      });
      await this.#apply(logs, signal);
      await this.#datastore.put(CURSOR, new TextEncoder().encode(String(to + 1n)));
      from = to + 1n;
    }
    const period = Number(await this.#chain.proofs.read.currentPeriod());
    if (period !== this.#lastSweptPeriod) {
      await this.#sweep(period, signal);
      this.#lastSweptPeriod = period;
    }
  }

  async #cursor(): Promise<bigint> {
    try {
      return BigInt(new TextDecoder().decode(await this.#datastore.get(CURSOR)));
    } catch {
      return this.#chain.deployment.deploymentBlock;
    }
  }

  async #apply(logs: Parameters<typeof parseEventLogs>[0]["logs"], signal?: AbortSignal): Promise<void> {
    const nodeId = this.#chain.nodeId;
    const events = parseEventLogs({ abi: [...storageMarketAbi, ...proofSystemAbi], logs });
    const released: Hex[] = [];
    for (const event of events) {
      switch (event.eventName) {
        case "BlobRegistered":
          this.#registrations.remember(event.args.blobId, event.args.params);
          break;
        case "BlobCertified": {
          const record = await this.#records.get(event.args.blobId, { signal });
          if (record)
            await this.#holdings.update(record, { state: "certified", endPeriod: event.args.endPeriod });
          break;
        }
        case "BlobExtended": {
          const record = await this.#records.get(event.args.blobId, { signal });
          if (record?.state === "certified")
            await this.#holdings.update(record, { endPeriod: event.args.endPeriod });
          break;
        }
        case "BlobDeleted":
        case "BlobReclaimed":
        case "BlobSettled":
          if (await this.#release(event.args.blobId, event.eventName, signal))
            released.push(event.args.blobId);
          break;
        case "HolderDropped":
          if (event.args.nodeId === nodeId) {
            if (await this.#release(event.args.blobId, "dropped", signal)) released.push(event.args.blobId);
          } else {
            this.#cold?.dropped(event.args.blobId, event.args.holder);
          }
          break;
        case "HolderReassigned":
          if (event.args.nodeId === nodeId) this.#cold?.assigned(event.args.blobId);
          break;
        case "NodeDropped":
          if (event.args.nodeId === nodeId)
            this.#logger.error({ period: event.args.period }, "this node was dropped");
          break;
        default:
          break;
      }
    }
    await this.#prune(released, signal);
  }

  /** Releases terms that ended and blobs never certified by their deadline. */
  async #sweep(period: number, signal?: AbortSignal): Promise<void> {
    const now = Math.floor(Date.now() / 1000);
    for await (const record of this.#records.all({ signal })) {
      const ended =
        record.state === "certified" && record.endPeriod !== undefined && period >= record.endPeriod;
      const expired = record.state === "pending" && now > record.certifyDeadline;
      if (!ended && !expired) continue;
      const registration = await this.#registrations.get(record.blobId, { signal });
      if (expired && registration?.status === "certified") {
        await this.#holdings.update(record, { state: "certified", endPeriod: registration.endPeriod });
        continue;
      }
      await this.#release(record.blobId, ended ? "term ended" : "never certified", signal);
    }
    await this.#reconcileProofSet(signal);
  }

  /** Prunes proof-set entries the node holds no record of (released, or lost in a crash). */
  async #reconcileProofSet(signal?: AbortSignal): Promise<void> {
    const set = await this.#chain.proofs.read.proofSet([this.#chain.nodeId]);
    const orphans: Hex[] = [];
    for (const blobId of set) {
      if (this.#pruned.has(blobId)) continue;
      if (!(await this.#records.get(blobId, { signal }))) orphans.push(blobId);
    }
    await this.#prune(orphans, signal);
  }

  async #release(blobId: Hex, reason: string, signal?: AbortSignal): Promise<boolean> {
    const record = await this.#records.get(blobId, { signal });
    if (!record) return false;
    await this.#holdings.release(record, reason, { signal });
    this.#reader.forget(record.cid);
    return true;
  }

  /**
   * Removes released blobs from the proof set (they stop being sampled next period). Each is
   * simulated first: one the contract still counts live, or already pruned, is left alone.
   */
  async #prune(blobIds: Hex[], signal?: AbortSignal): Promise<void> {
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
