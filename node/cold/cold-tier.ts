import type { Logger } from "../../service/logger.ts";
import type { ChainClient } from "../chain/chain-client.ts";
import type { Registrations } from "../chain/registrations.ts";
import type { BlobRecords } from "../storage/blob-records.ts";
import type { ByteBudget } from "../storage/byte-budget.ts";
import type { NodeStores } from "../storage/open-stores.ts";
import { ColdRebuild } from "./cold-rebuild.ts";
import type { PeerEndpoints } from "./peer-parts.ts";
import { ShardIntake } from "./shard-intake.ts";
import { ShardRepair } from "./shard-repair.ts";
import { ShardServing } from "./shard-serving.ts";
import type { ShardStore } from "./shard-store.ts";
import { ShardTakeover } from "./shard-takeover.ts";

/** The cold tier's counters, for /stats. */
export type ColdStats = ShardIntake["stats"] &
  ColdRebuild["stats"] &
  ShardRepair["stats"] &
  ShardServing["stats"];

/**
 * The node's cold tier, its pieces wired together: intake of shards, serving them to other nodes,
 * rebuilds of cold blobs for readers, repairs of this node's shards, takeovers of dropped holders'.
 * Each piece is handed on by itself to whoever needs it.
 */
export class ColdTier {
  readonly intake: ShardIntake;
  readonly serving: ShardServing;
  readonly rebuilder: ColdRebuild;
  readonly repairs: ShardRepair;
  readonly takeover: ShardTakeover;

  constructor(deps: {
    chain: ChainClient;
    registrations: Pick<Registrations, "get">;
    records: Pick<BlobRecords, "get" | "put">;
    stores: Pick<NodeStores, "flush">;
    shards: Pick<ShardStore, "write" | "size" | "stripes">;
    budget: Pick<ByteBudget, "checkRoom" | "hold">;
    peers: Pick<PeerEndpoints, "client">;
    logger: Logger;
    /** Where rebuilt blobs are written while they are read (the shard folder). */
    tempDir: string;
    /** Take over dropped holders' shards of cold blobs this node does not hold. */
    claimDropped: boolean;
  }) {
    const { chain, registrations, records, shards, peers, tempDir } = deps;
    const logger = deps.logger.child({ component: "cold" });
    this.intake = new ShardIntake({ ...deps, logger });
    this.serving = new ShardServing({ records, shards });
    const serving = this.serving;
    this.rebuilder = new ColdRebuild({ chain, registrations, records, peers, serving, tempDir, logger });
    const intake = this.intake;
    const rebuild = this.rebuilder;
    this.repairs = new ShardRepair({ chain, registrations, records, shards, peers, intake, rebuild, logger });
    const repair = this.repairs;
    this.takeover = new ShardTakeover({ chain, registrations, repair, logger, enabled: deps.claimDropped });
  }

  /** Every piece's counters. */
  stats(): ColdStats {
    return { ...this.intake.stats, ...this.rebuilder.stats, ...this.repairs.stats, ...this.serving.stats };
  }

  /** Stops repairs and claims in flight. */
  async stop(): Promise<void> {
    this.takeover.stop();
    await this.repairs.stop();
  }
}
