import type { Db } from "./open-database.ts";

/** Writes to a node's row, and what a replay of the node reads. */
export function nodeStatements(db: Db) {
  return {
    insertNode:
      db.prepare(`INSERT INTO nodes (node_id, operator, signer, endpoint, peer_id, multiaddrs, tiers, capacity,
        price_per_byte_epoch, stake, unbonding_at, withdrawn, jailed, dropped_period, misses_in_row, missed_proofs,
        slashed, slashes, proofs, last_proof_period, last_proof_block, claimed, registered_block, updated_block)
      VALUES (@node_id, @operator, @signer, @endpoint, @peer_id, @multiaddrs, @tiers, @capacity, @price, '0', NULL, 0, 0,
        NULL, 0, 0, '0', 0, 0, NULL, NULL, '0', @block, @block)`),
    updateNodeFields:
      db.prepare(`UPDATE nodes SET operator = @operator, signer = @signer, endpoint = @endpoint,
        peer_id = @peer_id, multiaddrs = @multiaddrs, tiers = @tiers, capacity = @capacity,
        price_per_byte_epoch = @price, updated_block = @block WHERE node_id = @node_id`),
    setStake: db.prepare("UPDATE nodes SET stake = @stake, updated_block = @block WHERE node_id = @node_id"),
    setUnbonding: db.prepare(
      "UPDATE nodes SET unbonding_at = @unbonding_at, updated_block = @block WHERE node_id = @node_id",
    ),
    setWithdrawn: db.prepare(
      "UPDATE nodes SET stake = '0', withdrawn = 1, updated_block = @block WHERE node_id = @node_id",
    ),
    nodeMoney: db.prepare("SELECT slashed, claimed FROM nodes WHERE node_id = ?"),
    addSlash: db.prepare(`UPDATE nodes SET stake = @stake, slashed = @slashed, slashes = slashes + @slashes,
        updated_block = @block WHERE node_id = @node_id`),
    // one slash is one missed-proof report: a NodeSlashed per share (reporter, treasury) in one
    // transaction; the first of them counts it (the event is in the table before it is projected)
    earlierSharesOfSlash: db.prepare(`SELECT count(*) AS count FROM events WHERE node_id = @node_id
        AND name = 'NodeSlashed' AND tx_hash = @tx_hash AND log_index < @log_index`),
    setJailed: db.prepare("UPDATE nodes SET jailed = 1, updated_block = @block WHERE node_id = @node_id"),
    setDropped: db.prepare(
      "UPDATE nodes SET dropped_period = @period, updated_block = @block WHERE node_id = @node_id",
    ),
    addProof:
      db.prepare(`UPDATE nodes SET proofs = proofs + 1, last_proof_period = @period, last_proof_block = @block,
        misses_in_row = 0, updated_block = @block WHERE node_id = @node_id`),
    addMiss: db.prepare(`UPDATE nodes SET misses_in_row = @misses, missed_proofs = missed_proofs + 1,
        updated_block = @block WHERE node_id = @node_id`),
    addClaim: db.prepare(
      "UPDATE nodes SET claimed = @claimed, updated_block = @block WHERE node_id = @node_id",
    ),
    deleteNode: db.prepare("DELETE FROM nodes WHERE node_id = ?"),
    eventsOfNode: db.prepare(
      "SELECT name, args, node_id, blob_id, name_id, vault_id, block_number, block_hash, tx_hash, log_index FROM events WHERE node_id = ? ORDER BY block_number, log_index",
    ),
  };
}

export type NodeStatements = ReturnType<typeof nodeStatements>;
