import type { Hex } from "viem";
import type { Logger } from "../../service/logger.ts";
import type { ChainClient } from "../chain/chain-client.ts";
import { claimPlace } from "../chain/claim-place.ts";
import type { Registrations } from "../chain/registrations.ts";
import type { ShardRepair } from "./shard-repair.ts";

/** Takes over dropped holders' shards of cold blobs this node holds no shard of. */
export class ShardTakeover {
  readonly #chain: ChainClient;
  readonly #registrations: Pick<Registrations, "get">;
  readonly #repair: Pick<ShardRepair, "repair">;
  readonly #logger: Logger;
  readonly #enabled: boolean;
  readonly #stopping = new AbortController();

  constructor(deps: {
    chain: ChainClient;
    registrations: Pick<Registrations, "get">;
    repair: Pick<ShardRepair, "repair">;
    logger: Logger;
    /** Take over dropped holders' shards (config `cold.repair`). */
    enabled: boolean;
  }) {
    this.#chain = deps.chain;
    this.#registrations = deps.registrations;
    this.#repair = deps.repair;
    this.#logger = deps.logger;
    this.#enabled = deps.enabled;
  }

  /**
   * Another node's shard of a cold blob was left open by a drop: if this node holds no shard of
   * it and may take one (the chain decides: simulated first), it claims the shard and rebuilds it.
   */
  claimSoon(blobId: Hex, holder: number): void {
    if (!this.#enabled) return;
    const signal = this.#stopping.signal;
    (async () => {
      const registration = await this.#registrations.get(blobId, { signal });
      if (registration?.tier !== "cold" || registration.status !== "certified") return;
      if (registration.holders.some((h) => h.nodeId === this.#chain.nodeId)) return;
      if (!(await claimPlace(this.#chain, blobId, holder, { signal }))) return;
      this.#logger.info({ blob_id: blobId, holder }, "took over a dropped holder's shard");
      await this.#repair.repair(blobId);
    })().catch((error) => {
      if (!signal.aborted)
        this.#logger.warn({ blob_id: blobId, holder, err: error }, "could not take over the shard");
    });
  }

  /** Stops claims in flight (their repairs stop with the repairs). */
  stop(): void {
    this.#stopping.abort(new Error("node stopping"));
  }
}
