import { contractRevert } from "../../service/contract-revert.ts";
import type { Logger } from "../../service/logger.ts";
import type { ChainClient } from "../chain/chain-client.ts";
import { NodeDroppedError, NodeInactiveError } from "../errors.ts";

/** Whether the chain still gives this node new blobs. */
export type Standing = "active" | "dropped" | "inactive";

/** The node's standing as the chain has it: dropped by the proof system, or inactive in the registry. */
export function readStanding(chain: Pick<ChainClient, "nodeId" | "proofs" | "registry" | "read">) {
  return async (): Promise<Standing> => {
    const [[, dropped], active] = await Promise.all([
      chain.read(() => chain.proofs.read.nodeStanding([chain.nodeId])),
      chain.read(() => chain.registry.read.isActive([chain.nodeId])),
    ]);
    if (dropped) return "dropped";
    return active ? "active" : "inactive";
  };
}

/**
 * The node's standing, cached: uploads are refused up front (before their body is read) by a
 * dropped or inactive node. Read again at most every `refreshMs`; a drop is for good, and is
 * learned at once from the watcher (`markDropped`) or from a refused transaction (`observe`).
 * When the chain cannot be read, the last standing known holds (active if none).
 */
export class NodeStanding {
  readonly #read: () => Promise<Standing>;
  readonly #nodeId: number;
  readonly #logger: Logger;
  readonly #refreshMs: number;
  #known: Standing | undefined;
  #readAt = 0;
  #dropped = false;
  #reading: Promise<Standing> | undefined;

  constructor(deps: { read: () => Promise<Standing>; nodeId: number; logger: Logger; refreshMs?: number }) {
    this.#read = deps.read;
    this.#nodeId = deps.nodeId;
    this.#logger = deps.logger.child({ component: "standing" });
    this.#refreshMs = deps.refreshMs ?? 3000;
  }

  /** Throws the coded 503 a dropped or inactive node answers an upload with. */
  async assertAccepting(): Promise<void> {
    const standing = await this.current();
    if (standing === "dropped") throw new NodeDroppedError(this.#nodeId);
    if (standing === "inactive") throw new NodeInactiveError(this.#nodeId);
  }

  async current(): Promise<Standing> {
    if (this.#dropped) return "dropped";
    if (Date.now() - this.#readAt < this.#refreshMs) return this.#known ?? "active";
    this.#reading ??= this.#refresh().finally(() => {
      this.#reading = undefined;
    });
    return this.#reading;
  }

  /** The proof system dropped this node (its NodeDropped event): no upload is taken any more. */
  markDropped(): void {
    if (!this.#dropped) this.#logger.warn({ node_id: this.#nodeId }, "dropped by the proof system");
    this.#dropped = true;
    this.#known = "dropped";
  }

  /** Learns from a transaction the chain refused: one refused for a dropped node marks the drop. */
  observe(error: unknown): void {
    const revert = contractRevert(error);
    if (revert?.name === "ProofsNodeDropped") this.markDropped();
    else if (revert?.name === "NodeRegistryNodeInactive") {
      this.#known = "inactive";
      this.#readAt = Date.now();
    }
  }

  async #refresh(): Promise<Standing> {
    try {
      const standing = await this.#read();
      if (standing === "dropped") this.markDropped();
      else if (standing !== this.#known && this.#known !== undefined)
        this.#logger.info({ standing }, "standing changed");
      this.#known = standing;
    } catch (error) {
      this.#logger.warn({ err: error }, "cannot read the node's standing; keeping the last known");
    }
    this.#readAt = Date.now();
    return this.#dropped ? "dropped" : (this.#known ?? "active");
  }
}
