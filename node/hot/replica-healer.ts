import type { Hex } from "viem";
import type { Logger } from "../../service/logger.ts";
import { certifyReplica } from "../chain/attestor.ts";
import type { ChainClient } from "../chain/chain-client.ts";
import { claimPlace } from "../chain/claim-place.ts";
import type { Registrations } from "../chain/registrations.ts";
import type { PeerEndpoints } from "../cold/peer-parts.ts";
import type { Holdings } from "./holdings.ts";

export interface HealStats {
  /** Places of dropped holders this node took and filled (attested on chain). */
  healed: number;
  /** Bytes fetched from other holders to fill them. */
  fetchedBytes: number;
  /** Attempts that failed (every source refused or served bytes that did not match). */
  failed: number;
}

const RETRIES = 5;

/**
 * Heals hot blobs: when another node is dropped from a hot blob, this node (if it serves the hot
 * tier and does not hold the blob) takes the dropped holder's place on chain, fetches the replica
 * from any holder, live or dropped, takes it in as an upload (checked against the CID and the
 * commitment, made durable, enrolled and attested) and submits its attestation. The chain decides
 * which node gets the place: every other candidate's simulation fails and it does nothing.
 */
export class ReplicaHealer {
  readonly stats: HealStats = { healed: 0, fetchedBytes: 0, failed: 0 };
  readonly #chain: ChainClient;
  readonly #registrations: Registrations;
  readonly #holdings: Pick<Holdings, "store">;
  readonly #peers: Pick<PeerEndpoints, "client">;
  readonly #logger: Logger;
  readonly #stopping = new AbortController();
  readonly #running = new Map<Hex, Promise<void>>();

  constructor(deps: {
    chain: ChainClient;
    registrations: Registrations;
    holdings: Pick<Holdings, "store">;
    peers: Pick<PeerEndpoints, "client">;
    logger: Logger;
  }) {
    this.#chain = deps.chain;
    this.#registrations = deps.registrations;
    this.#holdings = deps.holdings;
    this.#peers = deps.peers;
    this.#logger = deps.logger.child({ component: "healer" });
  }

  /**
   * Holder `holder` of `blobId` was dropped: heal it in the background, retrying with backoff.
   * Places of one blob are tried one after the other (a node may take only one of them).
   */
  healSoon(blobId: Hex, holder: number): void {
    if (this.#stopping.signal.aborted) return;
    const before = this.#running.get(blobId) ?? Promise.resolve();
    const task: Promise<void> = before
      .then(() => this.#healWithRetries(blobId, holder))
      .finally(() => {
        if (this.#running.get(blobId) === task) this.#running.delete(blobId);
      });
    this.#running.set(blobId, task);
  }

  /** Waits for the heals under way (tests and shutdown). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.#running.values()]);
  }

  async stop(): Promise<void> {
    this.#stopping.abort(new Error("node stopping"));
    await this.settled();
  }

  async #healWithRetries(blobId: Hex, holder: number): Promise<void> {
    const signal = this.#stopping.signal;
    for (let attempt = 1; attempt <= RETRIES && !signal.aborted; attempt += 1) {
      try {
        await this.heal(blobId, holder, { signal });
        return;
      } catch (error) {
        if (signal.aborted) return;
        this.stats.failed += 1;
        this.#logger.warn({ blob_id: blobId, holder, attempt, err: error }, "could not heal the replica");
        await sleep(500 * 2 ** attempt, signal);
      }
    }
  }

  /**
   * One attempt: takes the place if it is still open (or resumes a place this node already holds
   * but has not attested), then fetches, checks, keeps and attests the replica.
   */
  async heal(blobId: Hex, holder: number, options: { signal?: AbortSignal } = {}): Promise<void> {
    const before = await this.#registrations.get(blobId, options);
    if (before?.tier !== "hot" || before.status !== "certified") return;
    const bit = 1 << holder;
    const ours = before.holders[holder]?.nodeId === this.#chain.nodeId;
    if (ours && before.attested & bit) return;
    if (!ours) {
      if (!(before.dropped & bit)) return;
      if (before.holders.some((h) => h.nodeId === this.#chain.nodeId)) return;
      // every hot node hears of the drop at once: a moment's jitter spares most of them a losing
      // transaction (the chain still decides)
      await sleep(Math.random() * 1000, options.signal);
      if (!(await claimPlace(this.#chain, blobId, holder, options))) return;
      this.#logger.info({ blob_id: blobId, holder }, "took over a dropped holder's replica");
    }
    // live holders first, then dropped ones (which keep their copies until the blob is whole)
    const sources = before.holders
      .map((h, index) => ({ nodeId: h.nodeId, dropped: Boolean(before.dropped & (1 << index)) }))
      .filter((source) => source.nodeId !== this.#chain.nodeId)
      .sort((a, b) => Number(a.dropped) - Number(b.dropped));
    let lastError: unknown = new Error(`no holder of ${blobId} to fetch from`);
    for (const source of sources) {
      options.signal?.throwIfAborted();
      try {
        const peer = await this.#peers.client(source.nodeId);
        const { body } = await peer.getFile(before.cid, options);
        const stored = await this.#holdings.store(blobId, this.#counted(body), options);
        await certifyReplica(this.#chain, blobId, [stored.attestation], options);
        this.stats.healed += 1;
        this.#logger.info({ blob_id: blobId, holder, from: source.nodeId }, "replica healed");
        return;
      } catch (error) {
        lastError = error;
        this.#logger.warn({ blob_id: blobId, from: source.nodeId, err: error }, "replica source failed");
      }
    }
    throw lastError;
  }

  async *#counted(body: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const chunk of body) {
      this.stats.fetchedBytes += chunk.byteLength;
      yield chunk;
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
