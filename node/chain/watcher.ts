import type { Datastore } from "interface-datastore";
import { BlockNotFoundError, type Hex, type Log, parseEventLogs } from "viem";
import { proofSystemAbi, storageMarketAbi } from "#protocol";
import type { Logger } from "../../service/logger.ts";
import { Ticker } from "../../service/ticker.ts";
import type { Holdings } from "../hot/holdings.ts";
import type { Reader } from "../hot/reader.ts";
import type { BlobRecord, BlobRecords } from "../storage/blob-records.ts";
import { type BlockMark, BlockTrail } from "./block-trail.ts";
import type { ChainClient } from "./chain-client.ts";
import { type ChainMoment, changesRecord, judgeHolding } from "./holding-verdict.ts";
import { ProofSetPruner } from "./proof-set-pruner.ts";
import type { Registrations } from "./registrations.ts";
import { ReleaseQueue } from "./release-queue.ts";

const MAX_RANGE = 2_000n;

/** Events after which the chain may say a held copy can go. */
const ENDINGS = new Set(["BlobDeleted", "BlobReclaimed", "BlobSettled", "BlobRestored"]);

/** The cold tier's part: a holder slot handed to this node, another node's slot left open. */
export interface ColdHooks {
  assigned(blobId: Hex): void;
  dropped(blobId: Hex, holder: number): void;
}

/**
 * Follows the chain for this node: registrations (remembered for uploads), certifications and
 * extensions (the term of held blobs), drops (the copy is kept and served, marked dropped), and
 * everything that ends a blob. A copy is let go only when the chain says the blob ended (deleted,
 * reclaimed, settled, its term or certification deadline passed, its registration gone) or, for
 * a copy this node was dropped from, once every holder slot is live again; and only once that
 * word is `confirmations` blocks deep and still on the chain. Released blobs are pruned from the
 * proof set, and so are entries the node holds no record of.
 *
 * Reorgs: the hashes of the last blocks read are kept; each pass first checks the newest is
 * still the chain's, and if not walks back to the common ancestor and reads on from there (event
 * handling is idempotent), then judges every held copy against the chain again.
 */
export class ChainWatcher {
  readonly #chain: ChainClient;
  readonly #registrations: Registrations;
  readonly #records: BlobRecords;
  readonly #holdings: Holdings;
  readonly #reader: Reader;
  readonly #logger: Logger;
  readonly #ticker: Ticker;
  readonly #cold: ColdHooks | undefined;
  readonly #trail: BlockTrail;
  readonly #releases = new ReleaseQueue();
  readonly #confirmations: number;
  #loaded = false;
  #lastSweptPeriod = -1;
  // every held copy is judged on the first sweep and after each reorg
  #reconcile = true;
  #reorgs = 0;
  readonly #pruner: ProofSetPruner;

  readonly #onDropped: (() => void) | undefined;
  constructor(deps: {
    chain: ChainClient;
    registrations: Registrations;
    records: BlobRecords;
    holdings: Holdings;
    reader: Reader;
    datastore: Datastore;
    logger: Logger;
    pollMs: number;
    /** Blocks on top of the block that frees a copy before it is let go (default 2). */
    confirmations?: number;
    cold?: ColdHooks;
    /** This node was dropped by the proof system (uploads are refused from then on). */
    onDropped?: () => void;
  }) {
    this.#onDropped = deps.onDropped;
    this.#cold = deps.cold;
    this.#chain = deps.chain;
    this.#registrations = deps.registrations;
    this.#records = deps.records;
    this.#holdings = deps.holdings;
    this.#reader = deps.reader;
    this.#confirmations = deps.confirmations ?? 2;
    this.#trail = new BlockTrail(deps.datastore);
    this.#logger = deps.logger.child({ component: "watcher" });
    this.#pruner = new ProofSetPruner({ chain: deps.chain, records: deps.records, logger: this.#logger });
    this.#ticker = new Ticker("watcher", deps.pollMs, (signal) => this.tick(signal), this.#logger);
  }

  start(): void {
    this.#ticker.start();
  }

  stop(): Promise<void> {
    return this.#ticker.stop();
  }

  stats() {
    return { reorgs: this.#reorgs, queuedReleases: this.#releases.size, cursor: this.#trail.cursor };
  }

  /** One pass: follow a reorg if any, read new events, sweep once a period, apply confirmed releases. */
  async tick(signal?: AbortSignal): Promise<void> {
    if (!this.#loaded) {
      await this.#trail.load(this.#chain.deployment.deploymentBlock, { signal });
      this.#loaded = true;
    }
    await this.#followReorg(signal);
    const head = await this.#chain.publicClient.getBlock();
    await this.#readUpTo(head.number, signal);
    const period = Number(await this.#chain.proofs.read.currentPeriod());
    const at = { nodeId: this.#chain.nodeId, period, now: Number(head.timestamp) };
    if (period !== this.#lastSweptPeriod || this.#reconcile) {
      await this.#sweep(at, { number: head.number, hash: head.hash }, signal);
      this.#lastSweptPeriod = period;
    }
    await this.#applyDue(head.number, at, signal);
  }

  /** The hash the chain has at `number`, or undefined past its head. */
  async #hashOf(number: bigint): Promise<Hex | undefined> {
    try {
      return (await this.#chain.publicClient.getBlock({ blockNumber: number })).hash;
    } catch (error) {
      if (error instanceof BlockNotFoundError) return undefined;
      throw error;
    }
  }

  /** If the newest block read left the chain: back to the common ancestor, and read on from there. */
  async #followReorg(signal?: AbortSignal): Promise<void> {
    const last = this.#trail.last;
    if (!last || (await this.#hashOf(last.number)) === last.hash) return;
    let ancestor: BlockMark | undefined;
    for (const mark of this.#trail.newestFirst()) {
      signal?.throwIfAborted();
      if ((await this.#hashOf(mark.number)) === mark.hash) {
        ancestor = mark;
        break;
      }
    }
    await this.#trail.rewind(ancestor, this.#chain.deployment.deploymentBlock, { signal });
    this.#reorgs += 1;
    this.#reconcile = true;
    const from = last.number.toString();
    if (ancestor) {
      this.#logger.warn(
        { from, ancestor: ancestor.number.toString() },
        "chain reorganised; reading on from the common ancestor",
      );
    } else {
      this.#logger.warn(
        { from },
        "chain reorganised below every kept block; reading from the deployment again",
      );
    }
  }

  async #readUpTo(head: bigint, signal?: AbortSignal): Promise<void> {
    const { contracts } = this.#chain.deployment;
    for (let from = this.#trail.cursor; from <= head; ) {
      signal?.throwIfAborted();
      const to = from + MAX_RANGE - 1n < head ? from + MAX_RANGE - 1n : head;
      // the end's hash first: logs read after it come from that chain or a newer one, which the
      // next pass then finds reorganised
      const end = await this.#chain.publicClient.getBlock({ blockNumber: to });
      const logs = await this.#chain.publicClient.getLogs({
        address: [contracts.market, contracts.proofSystem],
        fromBlock: from,
        toBlock: to,
      });
      if (logs.some((log) => log.blockNumber === to && log.blockHash !== end.hash)) return; // moved
      await this.#apply(logs, signal);
      const seen = logs.map((log) => ({ number: log.blockNumber, hash: log.blockHash }));
      await this.#trail.advance({ number: to, hash: end.hash }, seen, { signal });
      from = to + 1n;
    }
  }

  async #apply(logs: Log<bigint, number, false>[], signal?: AbortSignal): Promise<void> {
    const nodeId = this.#chain.nodeId;
    for (const event of parseEventLogs({ abi: [...storageMarketAbi, ...proofSystemAbi], logs })) {
      const block = { number: event.blockNumber, hash: event.blockHash };
      switch (event.eventName) {
        case "BlobRegistered":
          this.#registrations.remember(event.args.blobId, event.args.params);
          break;
        case "BlobCertified":
        case "BlobExtended": {
          const record = await this.#records.get(event.args.blobId, { signal });
          if (
            record &&
            record.state !== "ended" &&
            (event.eventName === "BlobCertified" || record.state === "certified")
          )
            await this.#holdings.update(
              record,
              { state: "certified", endPeriod: event.args.endPeriod },
              { signal },
            );
          break;
        }
        case "HolderDropped":
          if (event.args.nodeId === nodeId) await this.#markDropped(event.args.blobId, signal);
          else this.#cold?.dropped(event.args.blobId, event.args.holder);
          break;
        case "HolderReassigned":
          if (event.args.nodeId === nodeId) this.#cold?.assigned(event.args.blobId);
          if (event.args.previous === nodeId)
            await this.#queue(event.args.blobId, event.eventName, block, signal);
          break;
        case "NodeDropped":
          if (event.args.nodeId === nodeId) {
            this.#logger.error({ period: event.args.period }, "this node was dropped; it keeps its copies");
            this.#onDropped?.();
          }
          break;
        default:
          if (ENDINGS.has(event.eventName) && "blobId" in event.args)
            await this.#queue(event.args.blobId, event.eventName, block, signal);
          break;
      }
    }
  }

  async #markDropped(blobId: Hex, signal?: AbortSignal): Promise<void> {
    const record = await this.#records.get(blobId, { signal });
    if (!record || record.dropped) return;
    await this.#holdings.update(record, { dropped: true }, { signal });
    this.#logger.warn({ blob_id: blobId }, "dropped from a blob; keeping and serving the copy");
  }

  /** Queues a held copy to be judged once `block` is confirmed. */
  async #queue(blobId: Hex, reason: string, block: BlockMark, signal?: AbortSignal): Promise<void> {
    if (await this.#records.get(blobId, { signal })) this.#releases.add({ blobId, reason, block });
  }

  /**
   * Judges the copies worth a look (ended terms, passed deadlines, dropped; every copy after a
   * reorg or at start) and queues those the chain lets go, at the head block.
   */
  async #sweep(at: ChainMoment, head: BlockMark, signal?: AbortSignal): Promise<void> {
    const everything = this.#reconcile;
    for await (const record of this.#records.all({ signal })) {
      if (!everything && !suspect(record, at)) continue;
      const verdict = judgeHolding(record, await this.#registrations.get(record.blobId, { signal }), at);
      if ("release" in verdict)
        this.#releases.add({ blobId: record.blobId, reason: verdict.release, block: head });
      else await this.#bringInLine(record, verdict.keep, signal);
    }
    this.#reconcile = false;
    await this.#pruner.reconcile(signal);
  }

  /** Lets go of the queued copies whose block is confirmed and still the chain's, if the chain still says so. */
  async #applyDue(head: bigint, at: ChainMoment, signal?: AbortSignal): Promise<void> {
    const released: Hex[] = [];
    for (const queued of this.#releases.due(head, this.#confirmations)) {
      signal?.throwIfAborted();
      this.#releases.delete(queued.blobId);
      if ((await this.#hashOf(queued.block.number)) !== queued.block.hash) {
        this.#logger.info({ blob_id: queued.blobId, reason: queued.reason }, "release reorged away");
        continue;
      }
      const record = await this.#records.get(queued.blobId, { signal });
      if (!record) continue;
      const verdict = judgeHolding(record, await this.#registrations.get(record.blobId, { signal }), at);
      if (!("release" in verdict)) {
        await this.#bringInLine(record, verdict.keep, signal);
        continue;
      }
      await this.#holdings.release(record, verdict.release, { signal });
      this.#reader.forget(record.cid);
      released.push(record.blobId);
    }
    await this.#pruner.prune(released, signal);
  }

  async #bringInLine(record: BlobRecord, changes: Partial<BlobRecord>, signal?: AbortSignal): Promise<void> {
    if (!changesRecord(record, changes)) return;
    await this.#holdings.update(record, changes, { signal });
    if ((changes.dropped ?? false) !== (record.dropped ?? false))
      this.#logger.warn(
        { blob_id: record.blobId, dropped: Boolean(changes.dropped) },
        "dropped mark follows the chain",
      );
  }
}

/**
 * Whether a copy may be due to go without an event saying so: not certified yet (its registration
 * may have been reorged away before the watcher read it, or its deadline passed), its term
 * passed, or dropped.
 */
function suspect(record: BlobRecord, at: ChainMoment): boolean {
  if (record.dropped || record.state === "pending") return true;
  return record.state === "certified" && record.endPeriod !== undefined && at.period >= record.endPeriod;
}
