import type { Db } from "../db/open-database.ts";

/** Writes to a vault's row and its snapshot and move facts, and what a replay of it reads. */
export function vaultStatements(db: Db) {
  return {
    insertVault:
      db.prepare(`INSERT INTO vaults (vault_id, owner, home, quota, price, escrow, paid_through, settled_at,
        sequence, manifest, closed, opened_block, updated_block)
      VALUES (@vault_id, @owner, @home, @quota, @price, @escrow, @paid_through, NULL, 0, NULL, 0, @block, @block)`),
    vaultMoney: db.prepare("SELECT escrow FROM vaults WHERE vault_id = ?"),
    setExtended: db.prepare(
      "UPDATE vaults SET escrow = @escrow, paid_through = @paid_through, updated_block = @block WHERE vault_id = @vault_id",
    ),
    setSettled: db.prepare(
      "UPDATE vaults SET escrow = @escrow, settled_at = @settled_at, updated_block = @block WHERE vault_id = @vault_id",
    ),
    setSnapshot: db.prepare(
      "UPDATE vaults SET sequence = @sequence, manifest = @manifest, updated_block = @block WHERE vault_id = @vault_id",
    ),
    setHome: db.prepare(`UPDATE vaults SET home = @home, price = @price, paid_through = @paid_through,
        updated_block = @block WHERE vault_id = @vault_id`),
    setClosed: db.prepare(
      "UPDATE vaults SET closed = 1, escrow = '0', updated_block = @block WHERE vault_id = @vault_id",
    ),
    insertSnapshot:
      db.prepare(`INSERT OR IGNORE INTO vault_snapshots (vault_id, sequence, manifest, blobs, committer,
        chain_id, block_number, block_hash, tx_hash, log_index)
      VALUES (@vault_id, @sequence, @manifest, @blobs, @committer, @chain_id, @block_number, @block_hash, @tx_hash,
        @log_index)`),
    insertMove:
      db.prepare(`INSERT OR IGNORE INTO vault_moves (vault_id, from_node, to_node, sequence, chain_id,
        block_number, block_hash, tx_hash, log_index)
      VALUES (@vault_id, @from_node, @to_node, @sequence, @chain_id, @block_number, @block_hash, @tx_hash, @log_index)`),
    deleteVault: db.prepare("DELETE FROM vaults WHERE vault_id = ?"),
    eventsOfVault: db.prepare(
      "SELECT name, args, node_id, blob_id, name_id, vault_id, block_number, block_hash, tx_hash, log_index FROM events WHERE vault_id = ? ORDER BY block_number, log_index",
    ),
  };
}

export type VaultStatements = ReturnType<typeof vaultStatements>;
