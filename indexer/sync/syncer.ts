import { setTimeout as sleep } from "node:timers/promises";
import type { Hex } from "viem";
import type { Logger } from "../../service/logger.ts";
import type { Anchor, Cursor, Mirror } from "../db/mirror.ts";
import { DeepReorgError } from "../errors.ts";
import type { IndexerMetrics } from "../metrics.ts";
import type { BlockHeader, ChainReader } from "./chain-reader.ts";
import type { DecodedEvent, EventDecoder } from "./event-decoder.ts";
import type { LogRanges } from "./log-ranges.ts";

/** The chain changed while a range was read: the step is retried (and a reorg found, if any). */
class ChainMovedError extends Error {
  override name = "ChainMovedError";
  constructor(block: bigint) {
    super(`block ${block} changed while its range was read`);
  }
}

export interface SyncOptions {
  /** Blocks a block must have on top of it before it is indexed. */
  confirmations: number;
  /** Blocks below the cursor whose hashes are kept: the deepest reorg the indexer can undo. */
  window: number;
  pollMs: number;
  /** First block to index (the deployment's). */
  startBlock: bigint;
}

interface Fetched {
  from: bigint;
  to: bigint;
  events: DecodedEvent[];
  anchors: Anchor[];
  end: BlockHeader;
}

/**
 * Follows the chain: backfills from the deployment block in adaptive ranges, then keeps up with
 * new blocks `confirmations` behind the head. Before each step it checks that the block under
 * the cursor is still the chain's; when it is not, it walks back over the kept hashes to the
 * common ancestor, rolls the mirror back to it and goes on from there. A reorg below every kept
 * hash stops it with DeepReorgError.
 */
export class Syncer {
  readonly #chain: ChainReader;
  readonly #decoder: EventDecoder;
  readonly #mirror: Mirror;
  readonly #ranges: LogRanges;
  readonly #metrics: IndexerMetrics;
  readonly #logger: Logger;
  readonly #options: SyncOptions;
  #head: bigint | undefined;

  constructor(deps: {
    chain: ChainReader;
    decoder: EventDecoder;
    mirror: Mirror;
    ranges: LogRanges;
    metrics: IndexerMetrics;
    logger: Logger;
    options: SyncOptions;
  }) {
    this.#chain = deps.chain;
    this.#decoder = deps.decoder;
    this.#mirror = deps.mirror;
    this.#ranges = deps.ranges;
    this.#metrics = deps.metrics;
    this.#logger = deps.logger.child({ component: "sync" });
    this.#options = deps.options;
  }

  /** The chain's head as last seen. */
  get head(): bigint | undefined {
    return this.#head;
  }

  /** Runs until `signal` aborts; rejects on a reorg it cannot undo. */
  async run(signal: AbortSignal): Promise<void> {
    await this.#begin(signal);
    let prefetch: Promise<Fetched> | undefined;
    while (!signal.aborted) {
      try {
        const head = await this.#chain.head();
        this.#head = head;
        this.#metrics.head = Number(head);
        const target = head - BigInt(this.#options.confirmations);
        const cursor = this.#mirror.cursor() as Cursor;
        if (!(await this.#onChain(cursor))) {
          prefetch = undefined;
          await this.#unwind(cursor);
          continue;
        }
        if (cursor.number >= target) {
          prefetch = undefined;
          await sleep(this.#options.pollMs, undefined, { signal });
          continue;
        }
        const fetched = await (prefetch ?? this.#fetch(cursor, target, head));
        prefetch = undefined;
        if (fetched.from !== cursor.number + 1n) continue; // stale (the cursor moved meanwhile)
        // the next range travels while this one is written
        if (fetched.to < target) {
          prefetch = this.#fetch(fetched.end, target, head);
          prefetch.catch(() => undefined);
        }
        const added = this.#mirror.apply(fetched.events, fetched.anchors, {
          number: fetched.end.number,
          hash: fetched.end.hash,
          timestamp: fetched.end.timestamp,
        });
        this.#metrics.eventsIndexed += added;
        this.#metrics.eventsRead += fetched.events.length;
        this.#metrics.indexed = Number(fetched.end.number);
        this.#metrics.indexedTimestamp = fetched.end.timestamp;
        if (added > 0 || fetched.to === target) {
          this.#logger.debug(
            {
              from: fetched.from.toString(),
              to: fetched.to.toString(),
              events: added,
              span: this.#ranges.span,
            },
            "indexed",
          );
        }
      } catch (error) {
        prefetch = undefined;
        if (signal.aborted) return;
        if (error instanceof DeepReorgError) throw error;
        if (error instanceof ChainMovedError) {
          this.#logger.debug({ err: error }, "the chain moved while a range was read; again");
          continue;
        }
        this.#metrics.rpcErrors += 1;
        this.#logger.warn({ err: error }, "sync step failed; retrying");
        await sleep(Math.min(5_000, this.#options.pollMs * 2), undefined, { signal }).catch(() => undefined);
      }
    }
  }

  /** Sets the cursor on an empty mirror: the block before the start block. */
  async #begin(signal: AbortSignal): Promise<void> {
    if (this.#mirror.cursor()) return;
    for (;;) {
      signal.throwIfAborted();
      try {
        const before = this.#options.startBlock > 0n ? this.#options.startBlock - 1n : 0n;
        const header = await this.#chain.header(before);
        if (header) {
          // block 0 has no "before": its events are then applied again by the first range,
          // which the unique key makes harmless
          this.#mirror.start({ number: header.number, hash: header.hash, timestamp: header.timestamp });
          return;
        }
      } catch (error) {
        this.#logger.warn({ err: error }, "cannot read the start block yet; retrying");
      }
      await sleep(this.#options.pollMs, undefined, { signal });
    }
  }

  /** Whether the chain still has the cursor's block. */
  async #onChain(cursor: Cursor): Promise<boolean> {
    const header = await this.#chain.header(cursor.number);
    return header !== undefined && header.hash === cursor.hash;
  }

  /** Walks back to the newest kept block the chain still has and rolls the mirror back to it. */
  async #unwind(cursor: Cursor): Promise<void> {
    for (const anchor of this.#mirror.anchors()) {
      const header = await this.#chain.header(anchor.number);
      if (header?.hash !== anchor.hash) continue;
      const undone = this.#mirror.rollback(anchor);
      this.#metrics.reorgs += 1;
      this.#metrics.indexed = Number(anchor.number);
      this.#logger.warn(
        { from: cursor.number.toString(), ancestor: anchor.number.toString(), ...undone },
        "chain reorganised: rolled back to the common ancestor",
      );
      return;
    }
    this.#metrics.stopped = true;
    throw new DeepReorgError(cursor.number, this.#options.window);
  }

  /**
   * Logs of the range after `parent`, decoded. A range within the reorg window of the head is
   * checked to sit on `parent`: its first block's parent is `parent` (one block), or `parent`
   * and the range's last block are both still the chain's once the logs are in (a block's hash
   * fixes all its ancestors). Every block there with events has its hash checked and kept.
   */
  async #fetch(parent: { number: bigint; hash: Hex }, target: bigint, head: bigint): Promise<Fetched> {
    const from = parent.number + 1n;
    for (;;) {
      const range = this.#ranges.next(from, target);
      const blocks = Number(range.to - range.from) + 1;
      let logs: Awaited<ReturnType<ChainReader["logs"]>>;
      let end: BlockHeader | undefined;
      try {
        [end, logs] = await Promise.all([
          this.#chain.header(range.to),
          this.#chain.logs(this.#decoder.addresses, range.from, range.to),
        ]);
      } catch (error) {
        if (this.#ranges.failed(blocks)) {
          this.#logger.debug({ blocks, err: error }, "eth_getLogs refused the range; halving it");
          continue;
        }
        throw error;
      }
      if (!end) throw new Error(`block ${range.to} is not on the chain`);
      this.#ranges.succeeded(blocks, logs.length);
      const events: DecodedEvent[] = [];
      for (const log of logs) {
        const event = this.#decoder.decode(log);
        if (event) events.push(event);
      }
      if (events.some((event) => event.blockNumber === end.number && event.blockHash !== end.hash)) {
        throw new ChainMovedError(end.number);
      }
      const anchors: Anchor[] = [];
      if (range.to + BigInt(this.#options.window) > head) {
        if (range.from === range.to) {
          if (end.parentHash !== parent.hash) throw new ChainMovedError(end.number);
        } else {
          const [before, last] = await Promise.all([
            this.#chain.header(parent.number),
            this.#chain.header(range.to),
          ]);
          if (before?.hash !== parent.hash || last?.hash !== end.hash) throw new ChainMovedError(end.number);
        }
        const hashes = new Map<bigint, Hex>();
        for (const event of events) hashes.set(event.blockNumber, event.blockHash);
        for (const [number, hash] of hashes) {
          const header = number === end.number ? end : await this.#chain.header(number);
          if (header?.hash !== hash) throw new ChainMovedError(number);
          anchors.push({ number, hash, timestamp: header.timestamp });
        }
      }
      return { from: range.from, to: range.to, events, anchors, end };
    }
  }
}
