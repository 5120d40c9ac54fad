import type { BlobRow, NodeRow, NodeState, ProvenanceRow, RouteRow } from "./query-rows.ts";

function camel(key: string): string {
  return key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** A fact row in camel case, its provenance gathered under `block`. */
export function provenanced(row: ProvenanceRow) {
  const { chain_id, block_number, block_hash, tx_hash, log_index, ...rest } = row;
  return {
    ...Object.fromEntries(Object.entries(rest).map(([key, value]) => [camel(key), value])),
    block: { number: block_number, hash: block_hash, tx: tx_hash, logIndex: log_index },
  };
}

export function blobEntry(row: BlobRow) {
  return {
    blobId: row.blob_id,
    owner: row.owner,
    cid: row.cid,
    commitment: row.commitment,
    size: row.size,
    tier: row.tier,
    shardSize: row.shard_size,
    recovery: row.recovery,
    epochs: row.epochs,
    name: row.name,
    mimeType: row.mime_type,
    tags: JSON.parse(row.tags) as string[],
    status: row.state,
    chainStatus: row.chain_status,
    deleted: row.deleted === 1,
    escrow: row.escrow,
    fee: row.fee,
    paid: row.paid,
    refunded: row.refunded,
    certifyDeadline: row.certify_deadline,
    attested: row.attested,
    liveHolders: row.live_holders,
    targetHolders: row.target_holders,
    startPeriod: row.start_period,
    endPeriod: row.end_period,
    registeredBlock: row.registered_block,
    registeredTx: row.registered_tx,
  };
}

/** A node's standing, from its row and the registry's current minimum stake. */
export function nodeState(row: NodeRow, minStake: bigint): NodeState {
  if (row.withdrawn === 1) return "withdrawn";
  if (row.dropped_period !== null) return "dropped";
  if (row.jailed === 1) return "jailed";
  if (row.unbonding_at !== null) return "unbonding";
  if (BigInt(row.stake) < minStake) return "unbonded";
  return "active";
}

function health(row: NodeRow) {
  if (row.checks === null) return null;
  return {
    available: row.available === 1,
    latencyMs: row.latency_ms === null ? null : Math.round(row.latency_ms * 10) / 10,
    availability: row.checks ? (row.successes ?? 0) / row.checks : 0,
    checks: row.checks,
    lastCheckedAt: row.last_checked_at,
    lastOkAt: row.last_ok_at,
    lastError: row.last_error,
    reads: row.served_reads,
    storedBytes: row.stored_bytes,
  };
}

export function nodeEntry(row: NodeRow, state: NodeState) {
  return {
    nodeId: row.node_id,
    status: state,
    operator: row.operator,
    signer: row.signer,
    endpoint: row.endpoint,
    peerId: row.peer_id,
    multiaddrs: JSON.parse(row.multiaddrs) as string[],
    tiers: row.tiers,
    capacity: row.capacity,
    pricePerByteEpoch: row.price_per_byte_epoch,
    stake: row.stake,
    unbondingAt: row.unbonding_at,
    jailed: row.jailed === 1,
    droppedPeriod: row.dropped_period,
    proofs: row.proofs,
    lastProofPeriod: row.last_proof_period,
    lastProofBlock: row.last_proof_block,
    missesInRow: row.misses_in_row,
    missedProofs: row.missed_proofs,
    slashes: row.slashes,
    slashed: row.slashed,
    claimed: row.claimed,
    registeredBlock: row.registered_block,
    health: health(row),
  };
}

export function routeEntry(row: RouteRow, state: NodeState) {
  return {
    nodeId: row.node_id,
    status: state,
    endpoint: row.endpoint,
    peerId: row.peer_id,
    multiaddrs: JSON.parse(row.multiaddrs) as string[],
    blobId: row.blob_id,
    holder: row.holder,
    tier: row.blob_tier,
    certified: row.blob_state === "certified",
    lastProofPeriod: row.last_proof_period,
    health: health(row),
  };
}
