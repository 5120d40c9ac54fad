import type { ChainClient } from "../chain/chain-client.ts";
import type { Registrations } from "../chain/registrations.ts";
import type { ColdTier } from "../cold/cold-tier.ts";
import type { PeerEndpoints } from "../cold/peer-parts.ts";
import type { Tiering } from "../cold/tiering.ts";
import type { NodeConfig } from "../config.ts";
import type { Holdings } from "../holdings.ts";
import type { NodeMetrics } from "../metrics.ts";
import type { NodeHelia } from "../p2p/create-helia.ts";
import type { Reader } from "../reader.ts";
import type { BlobRecords } from "../storage/blob-records.ts";
import type { HotCache } from "../storage/hot-cache.ts";
import type { NodeStores } from "../storage/open-stores.ts";
import type { PendingBlocks } from "../storage/pending-blocks.ts";
import type { UsedNonces } from "../storage/used-nonces.ts";
import type { NodeStanding } from "./node-standing.ts";

/** What the HTTP routes work with. */
export interface AppDeps {
  config: NodeConfig;
  chain: ChainClient;
  registrations: Registrations;
  holdings: Holdings;
  reader: Reader;
  records: BlobRecords;
  stores: NodeStores;
  cache: HotCache;
  nonces: UsedNonces;
  metrics: NodeMetrics;
  helia: NodeHelia;
  cold: ColdTier;
  tiering: Tiering;
  peers: PeerEndpoints;
  /** Whether the chain still gives this node blobs: uploads are refused up front when not. */
  standing: Pick<NodeStanding, "assertAccepting" | "observe" | "current">;
  /** Blocks of uploads in progress: written, not pinned or recorded yet, so never served. */
  pending: Pick<PendingBlocks, "has">;
  /** Proof counters the prover keeps (absent when proving is off). */
  /** The hot tier's healing of dropped holders' places. */
  healStats?: () => { healed: number; fetchedBytes: number; failed: number };
  proverStats?: () => { submitted: number; missed: number; lastPeriod: number | null };
}
