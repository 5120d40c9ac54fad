/** A blob's status for readers: what the chain recorded, aged by the chain's clock. */
export type BlobState = "registered" | "certified" | "deleted" | "expired" | "reclaimed" | "settled";
export type NodeState = "active" | "unbonded" | "unbonding" | "jailed" | "dropped" | "withdrawn";

/** The rows the read queries select (column names as SQLite returns them). */
export interface BlobRow {
  blob_id: string;
  owner: string;
  cid: string;
  commitment: string;
  size: number;
  tier: string;
  shard_size: number;
  recovery: number;
  epochs: number;
  name: string;
  mime_type: string;
  tags: string;
  chain_status: string;
  state: BlobState;
  /** 1 when the owner deleted it early (a BlobDeleted event), even once settled. */
  deleted: number;
  escrow: string;
  fee: string;
  paid: string;
  refunded: string;
  certify_deadline: number;
  attested: number;
  target_holders: number;
  live_holders: number;
  start_period: number | null;
  end_period: number | null;
  registered_block: number;
  registered_tx: string;
  updated_block: number;
}

export interface NodeRow {
  node_id: number;
  operator: string;
  signer: string;
  endpoint: string;
  peer_id: string;
  multiaddrs: string;
  tiers: number;
  capacity: string;
  price_per_byte_epoch: string;
  stake: string;
  unbonding_at: number | null;
  withdrawn: number;
  jailed: number;
  dropped_period: number | null;
  misses_in_row: number;
  missed_proofs: number;
  slashed: string;
  slashes: number;
  proofs: number;
  last_proof_period: number | null;
  last_proof_block: number | null;
  claimed: string;
  registered_block: number;
  updated_block: number;
  available: number | null;
  latency_ms: number | null;
  checks: number | null;
  successes: number | null;
  last_checked_at: number | null;
  last_ok_at: number | null;
  last_error: string | null;
  served_reads: number | null;
  stored_bytes: number | null;
}

export interface RouteRow extends NodeRow {
  blob_id: string;
  holder: number;
  blob_tier: string;
  blob_state: string;
}

export interface HolderRow {
  holder: number;
  node_id: number;
  endpoint: string | null;
  enrolled: number;
  dropped: number;
  pruned: number;
}

/** A fact row (certificate, proof, miss, slash, payment) with the event it came from. */
export type ProvenanceRow = Record<string, unknown> & {
  chain_id: number;
  block_number: number;
  block_hash: string;
  tx_hash: string;
  log_index: number;
};
