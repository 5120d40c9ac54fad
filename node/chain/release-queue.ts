import type { Hex } from "viem";
import type { BlockMark } from "./block-trail.ts";

/** A copy the chain said could go, and the block it said so in. */
export interface QueuedRelease {
  blobId: Hex;
  reason: string;
  block: BlockMark;
}

/**
 * Releases waiting for confirmations: each waits until its block has `confirmations` blocks on
 * top of it. The watcher then checks the block is still the chain's (a release from a block
 * reorged away is dropped) and asks the chain again before it lets the copy go.
 */
export class ReleaseQueue {
  readonly #queued = new Map<Hex, QueuedRelease>();

  /** Queues `blobId` unless it waits already (the earliest block counts). */
  add(release: QueuedRelease): void {
    if (!this.#queued.has(release.blobId)) this.#queued.set(release.blobId, release);
  }

  /** Releases whose block is at least `confirmations` deep under `head`, oldest first. */
  due(head: bigint, confirmations: number): QueuedRelease[] {
    return [...this.#queued.values()]
      .filter((release) => release.block.number + BigInt(confirmations) <= head)
      .sort((a, b) => (a.block.number < b.block.number ? -1 : a.block.number > b.block.number ? 1 : 0));
  }

  delete(blobId: Hex): void {
    this.#queued.delete(blobId);
  }

  get size(): number {
    return this.#queued.size;
  }
}
