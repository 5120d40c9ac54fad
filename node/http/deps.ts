import type { Registry } from "../../service/metrics.ts";
import type { ChainClient } from "../chain/chain-client.ts";
import type { ChainStatus } from "../chain/chain-status.ts";
import type { Registrations } from "../chain/registrations.ts";
import type { ColdStats } from "../cold/cold-tier.ts";
import type { PeerEndpoints } from "../cold/peer-parts.ts";
import type { ShardIntake } from "../cold/shard-intake.ts";
import type { ShardServing } from "../cold/shard-serving.ts";
import type { Tiering } from "../cold/tiering.ts";
import type { NodeConfig } from "../config.ts";
import type { Holdings } from "../hot/holdings.ts";
import type { HotCache } from "../hot/hot-cache.ts";
import type { Reader } from "../hot/reader.ts";
import type { NodeMetrics } from "../metrics.ts";
import type { NameRecords } from "../names/name-records.ts";
import type { NodeHelia } from "../p2p/create-helia.ts";
import type { BlobRecords } from "../storage/blob-records.ts";
import type { ByteBudget } from "../storage/byte-budget.ts";
import type { DiskUse } from "../storage/disk-use.ts";
import type { NodeStores } from "../storage/open-stores.ts";
import type { PendingBlocks } from "../storage/pending-blocks.ts";
import type { UsedNonces } from "../storage/used-nonces.ts";
import type { VaultJobs } from "../vaults/vault-jobs.ts";
import type { Vaults } from "../vaults/vaults.ts";
import type { NodeStanding } from "./node-standing.ts";

/** What the HTTP routes work with; each route plugin takes the few it uses (`Pick<AppDeps, …>`). */
export interface AppDeps {
  config: NodeConfig;
  chain: ChainClient;
  registrations: Pick<Registrations, "get">;
  holdings: Pick<Holdings, "store" | "release" | "evictFromCache">;
  /** StorageMax and what is held and cached against it. */
  budget: Pick<ByteBudget, "usage" | "checkRoom">;
  reader: Pick<Reader, "locate" | "read" | "whole" | "forget">;
  records: Pick<BlobRecords, "get" | "byCid" | "all">;
  stores: NodeStores;
  /** What the data takes on disk, per store (`/stats`, `/metrics`). */
  disk: Pick<DiskUse, "snapshot">;
  cache: Pick<HotCache, "has" | "stats">;
  nonces: Pick<UsedNonces, "use">;
  metrics: NodeMetrics;
  /** The process's metrics registry: /metrics serves it, the routes add theirs. */
  registry: Registry;
  helia: Pick<NodeHelia, "pins" | "libp2p">;
  /** The cold tier's intake of shards (PUT /shard). */
  intake: Pick<ShardIntake, "storeShard">;
  /** The cold tier's shards served to other nodes (GET /shard/…). */
  serving: Pick<ShardServing, "heldShard" | "serveShard" | "serveRepairSymbols">;
  /** The cold tier's counters. */
  coldStats: () => ColdStats;
  tiering: Pick<Tiering, "open" | "ensureLocal" | "promote" | "stats" | "copies">;
  peers: Pick<PeerEndpoints, "client">;
  /** Whether the chain still gives this node blobs: uploads are refused up front when not. */
  standing: Pick<NodeStanding, "assertAccepting" | "observe" | "current">;
  /** Blocks of uploads in progress: written, not pinned or recorded yet, so never served. */
  pending: Pick<PendingBlocks, "has">;
  /** The anchored IPNS records served on /ipns/:name. */
  names: NameRecords;
  /** The vaults this node holds, and their jobs. */
  vaults: Vaults;
  jobs: VaultJobs;
  /** The node's account on chain for /stats and /metrics (built from `chain` and `records` when absent). */
  chainStatus?: Pick<ChainStatus, "current" | "view">;
  /** Proof counters the prover keeps (absent when proving is off). */
  /** The hot tier's healing of dropped holders' places. */
  healStats?: () => { healed: number; fetchedBytes: number; failed: number };
  proverStats?: () => { submitted: number; missed: number; lastPeriod: number | null };
}
