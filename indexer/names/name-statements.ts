import type { Db } from "../db/open-database.ts";

/** Writes to a name's row and its history, and what a replay of it reads. */
export function nameStatements(db: Db) {
  return {
    insertName:
      db.prepare(`INSERT INTO names (name_id, owner, label, value, path, sequence, validity, ttl, ipns_key,
        ipns_name, locked, updates, published_block, updated_block, updated_tx)
      VALUES (@name_id, @owner, @label, @value, @path, @sequence, @validity, @ttl, @ipns_key, @ipns_name, 0, 1,
        @block, @block, @tx)
      ON CONFLICT (name_id) DO UPDATE SET value = excluded.value, path = excluded.path, sequence = excluded.sequence,
        validity = excluded.validity, ttl = excluded.ttl, ipns_key = excluded.ipns_key, ipns_name = excluded.ipns_name,
        updates = updates + 1, updated_block = excluded.updated_block, updated_tx = excluded.updated_tx`),
    insertUpdate:
      db.prepare(`INSERT OR IGNORE INTO name_updates (name_id, sequence, value, path, validity, ttl,
        ipns_name, chain_id, block_number, block_hash, tx_hash, log_index)
      VALUES (@name_id, @sequence, @value, @path, @validity, @ttl, @ipns_name, @chain_id, @block_number, @block_hash,
        @tx_hash, @log_index)`),
    setLocked: db.prepare(
      "UPDATE names SET locked = 1, updated_block = @block, updated_tx = @tx WHERE name_id = @name_id",
    ),
    deleteName: db.prepare("DELETE FROM names WHERE name_id = ?"),
    eventsOfName: db.prepare(
      "SELECT name, args, node_id, blob_id, name_id, vault_id, block_number, block_hash, tx_hash, log_index FROM events WHERE name_id = ? ORDER BY block_number, log_index",
    ),
  };
}

export type NameStatements = ReturnType<typeof nameStatements>;
