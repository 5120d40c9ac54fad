// The indexer's HTTP replies as the SDK reads them. The indexer declares them as TypeBox schemas
// (indexer/http/schemas.ts); these copies keep the SDK free of indexer code until a shared API
// module holds both.

export type IndexedNodeStatus = "active" | "unbonded" | "unbonding" | "jailed" | "dropped" | "withdrawn";
export type IndexedBlobStatus = "registered" | "certified" | "deleted" | "expired";

/** What the indexer's health checks found of a node (null before the first check). */
export type IndexedHealth = {
  available: boolean;
  latencyMs: number | null;
  /** Share of health checks answered. */
  availability: number;
  checks: number;
  lastCheckedAt: number | null;
  lastOkAt: number | null;
  lastError: string | null;
  /** Reads the node reports having served. */
  reads: number | null;
  storedBytes: number | null;
} | null;

/** Where an indexed fact comes from on chain. */
export interface Provenance {
  number: number;
  hash: string;
  tx: string;
  logIndex: number;
}

/** A chain event the indexer recorded, with its provenance and the event's own fields. */
export type IndexedFact = { block: Provenance } & Record<string, unknown>;

export interface IndexedNode {
  nodeId: number;
  status: IndexedNodeStatus;
  operator: string;
  signer: string;
  endpoint: string;
  peerId: string;
  multiaddrs: string[];
  /** Tier bits: 1 hot, 2 cold. */
  tiers: number;
  capacity: string;
  pricePerByteEpoch: string;
  /** Token amounts are decimal strings in base units. */
  stake: string;
  unbondingAt: number | null;
  jailed: boolean;
  droppedPeriod: number | null;
  proofs: number;
  lastProofPeriod: number | null;
  lastProofBlock: number | null;
  missesInRow: number;
  missedProofs: number;
  slashes: number;
  slashed: string;
  claimed: string;
  registeredBlock: number;
  health: IndexedHealth;
}

export interface IndexedNodeDetail extends IndexedNode {
  recentProofs: IndexedFact[];
  recentMisses: IndexedFact[];
  slashHistory: IndexedFact[];
  recentPayments: IndexedFact[];
  /** Blobs the node holds (not dropped or pruned). */
  blobs: number;
}

export interface IndexedBlob {
  blobId: string;
  owner: string;
  cid: string;
  commitment: string;
  size: number;
  tier: string;
  shardSize: number;
  recovery: number;
  epochs: number;
  name: string;
  mimeType: string;
  tags: string[];
  status: IndexedBlobStatus;
  /** As the market records it: registered, certified, deleted, reclaimed, settled. */
  chainStatus: string;
  escrow: string;
  fee: string;
  paid: string;
  refunded: string;
  certifyDeadline: number;
  attested: number;
  /** Holders whose place is attested and not dropped (below targetHolders: the blob is degraded). */
  liveHolders: number;
  /** Holder places the blob was registered with. */
  targetHolders: number;
  startPeriod: number | null;
  endPeriod: number | null;
  registeredBlock: number;
  registeredTx: string;
}

export interface IndexedHolder {
  holder: number;
  nodeId: number;
  endpoint: string | null;
  enrolled: boolean;
  dropped: boolean;
  pruned: boolean;
}

export interface IndexedBlobDetail extends IndexedBlob {
  holders: IndexedHolder[];
  certificates: IndexedFact[];
  payments: IndexedFact[];
}

/** A node that serves a CID, as GET /route/:cid lists it. */
export interface RoutedNode {
  nodeId: number;
  status: IndexedNodeStatus;
  endpoint: string;
  peerId: string;
  multiaddrs: string[];
  blobId: string;
  holder: number;
  tier: string;
  certified: boolean;
  lastProofPeriod: number | null;
  health: IndexedHealth;
}

export interface Route {
  cid: string;
  blobs: string[];
  nodes: RoutedNode[];
}
