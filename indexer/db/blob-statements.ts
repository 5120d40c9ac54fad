import type { Db } from "./open-database.ts";

/** Writes to a blob's rows (blob, holders, tags, search entry), and what a replay of it reads. */
export function blobStatements(db: Db) {
  const holderFlags = {
    enrolled: db.prepare(
      "UPDATE blob_holders SET enrolled = 1 WHERE blob_id = @blob_id AND holder = @holder",
    ),
    dropped: db.prepare("UPDATE blob_holders SET dropped = 1 WHERE blob_id = @blob_id AND holder = @holder"),
  };
  return {
    insertBlob:
      db.prepare(`INSERT INTO blobs (blob_id, owner, cid, commitment, size, tier, shard_size, recovery, epochs,
        name, mime_type, tags, status, escrow, fee, paid, refunded, certify_deadline, attested, start_period, end_period,
        registered_block, registered_tx, updated_block)
      VALUES (@blob_id, @owner, @cid, @commitment, @size, @tier, @shard_size, @recovery, @epochs, @name, @mime_type,
        @tags, 'registered', @escrow, @fee, @paid, '0', @certify_deadline, 0, NULL, NULL, @block, @tx, @block)`),
    insertHolder: db.prepare(
      "INSERT INTO blob_holders (blob_id, holder, node_id, enrolled, dropped, pruned) VALUES (@blob_id, @holder, @node_id, 0, 0, 0)",
    ),
    insertTag: db.prepare("INSERT OR IGNORE INTO blob_tags (blob_id, tag) VALUES (?, ?)"),
    insertSearch: db.prepare("INSERT INTO blob_search (blob_id, name, tags, mime_type) VALUES (?, ?, ?, ?)"),
    setAttested: db.prepare(
      "UPDATE blobs SET attested = @attested, updated_block = @block WHERE blob_id = @blob_id",
    ),
    setCertified:
      db.prepare(`UPDATE blobs SET status = 'certified', attested = @attested, start_period = @start_period,
        end_period = @end_period, updated_block = @block WHERE blob_id = @blob_id`),
    addExtension: db.prepare(`UPDATE blobs SET epochs = epochs + @epochs,
        end_period = CASE WHEN status = 'certified' THEN @end_period ELSE end_period END,
        escrow = @escrow, fee = @fee, paid = @paid, updated_block = @block WHERE blob_id = @blob_id`),
    blobMoney: db.prepare("SELECT epochs, escrow, fee, paid, refunded FROM blobs WHERE blob_id = ?"),
    // the market's status, as its last event left it (a deleted blob settled later is settled)
    setEnded: db.prepare(`UPDATE blobs SET status = @status,
        end_period = COALESCE(@end_period, end_period), refunded = @refunded, updated_block = @block
        WHERE blob_id = @blob_id`),
    setHolderFlag: (flag: keyof typeof holderFlags) => holderFlags[flag],
    reassignHolder: db.prepare(
      "UPDATE blob_holders SET node_id = @node_id, enrolled = 0, dropped = 0, pruned = 0 WHERE blob_id = @blob_id AND holder = @holder",
    ),
    clearAttested: db.prepare(
      "UPDATE blobs SET attested = attested & ~(1 << @holder), updated_block = @block WHERE blob_id = @blob_id",
    ),
    pruneHolder: db.prepare(
      "UPDATE blob_holders SET pruned = 1 WHERE blob_id = @blob_id AND node_id = @node_id",
    ),
    deleteBlob: db.prepare("DELETE FROM blobs WHERE blob_id = ?"),
    deleteHolders: db.prepare("DELETE FROM blob_holders WHERE blob_id = ?"),
    deleteTags: db.prepare("DELETE FROM blob_tags WHERE blob_id = ?"),
    deleteSearch: db.prepare("DELETE FROM blob_search WHERE blob_id = ?"),
    eventsOfBlob: db.prepare(
      "SELECT name, args, node_id, blob_id, name_id, vault_id, block_number, block_hash, tx_hash, log_index FROM events WHERE blob_id = ? ORDER BY block_number, log_index",
    ),
  };
}

export type BlobStatements = ReturnType<typeof blobStatements>;
