/**
 * A blob's status for readers: what the chain recorded, aged by the chain's clock (a term that
 * ended, or a certification deadline that passed, with nothing settled or reclaimed yet, is
 * `expired`).
 */
export const BLOB_STATE = `CASE
    WHEN b.status IN ('deleted', 'reclaimed', 'settled') THEN b.status
    WHEN b.status = 'certified' AND b.end_period <= @period THEN 'expired'
    WHEN b.status = 'registered' AND b.certify_deadline < @now THEN 'expired'
    ELSE b.status END`;

/** The columns of a `BlobRow`, selected from `blobs b`. */
export const BLOB_COLUMNS = `b.blob_id, b.owner, b.cid, b.commitment, b.size, b.tier, b.shard_size, b.recovery, b.epochs,
  b.name, b.mime_type, b.tags, b.status AS chain_status, ${BLOB_STATE} AS state,
  EXISTS (SELECT 1 FROM events e WHERE e.blob_id = b.blob_id AND e.name = 'BlobDeleted') AS deleted,
  b.escrow, b.fee, b.paid, b.refunded,
  b.certify_deadline, b.attested, b.start_period, b.end_period, b.registered_block, b.registered_tx, b.updated_block,
  (SELECT count(*) FROM blob_holders hb WHERE hb.blob_id = b.blob_id) AS target_holders,
  (SELECT count(*) FROM blob_holders hb
    WHERE hb.blob_id = b.blob_id AND hb.dropped = 0 AND (b.attested >> hb.holder) & 1) AS live_holders`;

/** The columns of a `NodeRow`, selected from `nodes n LEFT JOIN node_health h`. */
export const NODE_COLUMNS = `n.*, h.available, h.latency_ms, h.checks, h.successes, h.last_checked_at, h.last_ok_at,
  h.last_error, h.reads AS served_reads, h.stored_bytes`;
