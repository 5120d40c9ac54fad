/**
 * The indexer's schema, as numbered migrations. Append only: a released migration never
 * changes; a change of schema is a new entry at the end. `migrate` applies the pending ones.
 *
 * Tables mirrored from the chain carry where each row came from (chain id, block number and
 * hash, transaction hash, log index). `events` holds every log of every Strata contract,
 * decoded; the other chain tables are projections of it (see project-event.ts).
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const provenance = `
  chain_id INTEGER NOT NULL,
  block_number INTEGER NOT NULL,
  block_hash TEXT NOT NULL,
  tx_hash TEXT NOT NULL,
  log_index INTEGER NOT NULL`;

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: "events, cursor, blocks and the chain projections",
    sql: `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;

-- the last block whose events are all applied (one row)
CREATE TABLE cursor (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  block_number INTEGER NOT NULL,
  block_hash TEXT NOT NULL,
  block_timestamp INTEGER NOT NULL
) STRICT;

-- hashes of recent blocks the mirror rests on: a reorg is found, and undone, against them
CREATE TABLE blocks (
  number INTEGER PRIMARY KEY,
  hash TEXT NOT NULL,
  timestamp INTEGER NOT NULL
) STRICT;

CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  ${provenance},
  contract TEXT NOT NULL,
  address TEXT NOT NULL,
  name TEXT NOT NULL,
  args TEXT NOT NULL,
  node_id INTEGER,
  blob_id TEXT,
  UNIQUE (chain_id, tx_hash, log_index)
) STRICT;
CREATE INDEX events_block ON events (block_number);
CREATE INDEX events_node ON events (node_id) WHERE node_id IS NOT NULL;
CREATE INDEX events_blob ON events (blob_id) WHERE blob_id IS NOT NULL;

CREATE TABLE nodes (
  node_id INTEGER PRIMARY KEY,
  operator TEXT NOT NULL,
  signer TEXT NOT NULL,
  endpoint TEXT NOT NULL,
  peer_id TEXT NOT NULL,
  multiaddrs TEXT NOT NULL,
  tiers INTEGER NOT NULL,
  capacity TEXT NOT NULL,
  price_per_byte_epoch TEXT NOT NULL,
  stake TEXT NOT NULL,
  unbonding_at INTEGER,
  withdrawn INTEGER NOT NULL,
  jailed INTEGER NOT NULL,
  dropped_period INTEGER,
  misses_in_row INTEGER NOT NULL,
  missed_proofs INTEGER NOT NULL,
  slashed TEXT NOT NULL,
  slashes INTEGER NOT NULL,
  proofs INTEGER NOT NULL,
  last_proof_period INTEGER,
  last_proof_block INTEGER,
  claimed TEXT NOT NULL,
  registered_block INTEGER NOT NULL,
  updated_block INTEGER NOT NULL
) STRICT;

CREATE TABLE blobs (
  blob_id TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  cid TEXT NOT NULL,
  commitment TEXT NOT NULL,
  size INTEGER NOT NULL,
  tier TEXT NOT NULL,
  shard_size INTEGER NOT NULL,
  recovery INTEGER NOT NULL,
  epochs INTEGER NOT NULL,
  name TEXT NOT NULL,
  mime_type TEXT NOT NULL,
  tags TEXT NOT NULL,
  status TEXT NOT NULL,
  escrow TEXT NOT NULL,
  fee TEXT NOT NULL,
  paid TEXT NOT NULL,
  refunded TEXT NOT NULL,
  certify_deadline INTEGER NOT NULL,
  attested INTEGER NOT NULL,
  start_period INTEGER,
  end_period INTEGER,
  registered_block INTEGER NOT NULL,
  registered_tx TEXT NOT NULL,
  updated_block INTEGER NOT NULL
) STRICT;
CREATE INDEX blobs_cid ON blobs (cid);
CREATE INDEX blobs_owner ON blobs (owner, registered_block);
CREATE INDEX blobs_mime ON blobs (mime_type);
CREATE INDEX blobs_listing ON blobs (registered_block DESC, blob_id DESC);

CREATE TABLE blob_tags (
  blob_id TEXT NOT NULL,
  tag TEXT NOT NULL,
  PRIMARY KEY (blob_id, tag)
) STRICT, WITHOUT ROWID;
CREATE INDEX blob_tags_tag ON blob_tags (tag);

CREATE TABLE blob_holders (
  blob_id TEXT NOT NULL,
  holder INTEGER NOT NULL,
  node_id INTEGER NOT NULL,
  enrolled INTEGER NOT NULL,
  dropped INTEGER NOT NULL,
  pruned INTEGER NOT NULL,
  PRIMARY KEY (blob_id, holder)
) STRICT, WITHOUT ROWID;
CREATE INDEX blob_holders_node ON blob_holders (node_id);

-- full-text search over what a blob was registered with (kept beside blobs by the projector)
CREATE VIRTUAL TABLE blob_search USING fts5 (
  blob_id UNINDEXED,
  name,
  tags,
  mime_type,
  tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TABLE certificates (
  blob_id TEXT NOT NULL,
  attested INTEGER NOT NULL,
  start_period INTEGER NOT NULL,
  end_period INTEGER NOT NULL,
  ${provenance},
  UNIQUE (chain_id, tx_hash, log_index)
) STRICT;
CREATE INDEX certificates_blob ON certificates (blob_id);
CREATE INDEX certificates_block ON certificates (block_number);

CREATE TABLE proofs (
  node_id INTEGER NOT NULL,
  period INTEGER NOT NULL,
  samples INTEGER NOT NULL,
  ${provenance},
  UNIQUE (chain_id, tx_hash, log_index)
) STRICT;
CREATE INDEX proofs_node ON proofs (node_id, period);
CREATE INDEX proofs_block ON proofs (block_number);

CREATE TABLE missed_proofs (
  node_id INTEGER NOT NULL,
  period INTEGER NOT NULL,
  misses_in_row INTEGER NOT NULL,
  reporter TEXT NOT NULL,
  ${provenance},
  UNIQUE (chain_id, tx_hash, log_index)
) STRICT;
CREATE INDEX missed_proofs_node ON missed_proofs (node_id, period);
CREATE INDEX missed_proofs_block ON missed_proofs (block_number);

CREATE TABLE slashes (
  node_id INTEGER NOT NULL,
  recipient TEXT NOT NULL,
  amount TEXT NOT NULL,
  remaining TEXT NOT NULL,
  ${provenance},
  UNIQUE (chain_id, tx_hash, log_index)
) STRICT;
CREATE INDEX slashes_node ON slashes (node_id);
CREATE INDEX slashes_block ON slashes (block_number);

-- money moving: escrow taken, extensions, refunds, node claims, fees collected
CREATE TABLE payments (
  kind TEXT NOT NULL,
  blob_id TEXT,
  node_id INTEGER,
  account TEXT,
  amount TEXT NOT NULL,
  ${provenance},
  UNIQUE (chain_id, tx_hash, log_index)
) STRICT;
CREATE INDEX payments_blob ON payments (blob_id) WHERE blob_id IS NOT NULL;
CREATE INDEX payments_node ON payments (node_id) WHERE node_id IS NOT NULL;
CREATE INDEX payments_block ON payments (block_number);

CREATE TABLE periods (
  period INTEGER NOT NULL,
  seed_block INTEGER NOT NULL,
  ${provenance},
  UNIQUE (chain_id, tx_hash, log_index)
) STRICT;
CREATE INDEX periods_block ON periods (block_number);
`,
  },
  {
    version: 2,
    name: "node health and route popularity (polled and counted here, not mirrored)",
    sql: `
CREATE TABLE node_health (
  node_id INTEGER PRIMARY KEY,
  checks INTEGER NOT NULL,
  successes INTEGER NOT NULL,
  available INTEGER NOT NULL,
  latency_ms REAL,
  last_checked_at INTEGER NOT NULL,
  last_ok_at INTEGER,
  last_error TEXT,
  reads INTEGER,
  stored_bytes INTEGER
) STRICT;

CREATE TABLE route_hits (
  cid TEXT PRIMARY KEY,
  hits INTEGER NOT NULL,
  last_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
`,
  },
  {
    version: 3,
    name: "names: their state, every update, and the IPNS records received for them",
    sql: `
ALTER TABLE events ADD COLUMN name_id TEXT;
CREATE INDEX events_name ON events (name_id) WHERE name_id IS NOT NULL;

-- a name as its last update left it (rebuilt from its events on a reorg); sequences are uint64,
-- kept as decimal text zero-padded to 20 digits so that they sort
CREATE TABLE names (
  name_id TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  label TEXT NOT NULL,
  value TEXT NOT NULL,
  path TEXT NOT NULL,
  sequence TEXT NOT NULL,
  validity INTEGER NOT NULL,
  ttl INTEGER NOT NULL,
  ipns_key TEXT NOT NULL,
  ipns_name TEXT NOT NULL,
  locked INTEGER NOT NULL,
  updates INTEGER NOT NULL,
  published_block INTEGER NOT NULL,
  updated_block INTEGER NOT NULL,
  updated_tx TEXT NOT NULL
) STRICT;
CREATE INDEX names_owner ON names (owner, label);
CREATE INDEX names_ipns ON names (ipns_name, sequence);

CREATE TABLE name_updates (
  name_id TEXT NOT NULL,
  sequence TEXT NOT NULL,
  value TEXT NOT NULL,
  path TEXT NOT NULL,
  validity INTEGER NOT NULL,
  ttl INTEGER NOT NULL,
  ipns_name TEXT NOT NULL,
  ${provenance},
  UNIQUE (chain_id, tx_hash, log_index)
) STRICT;
CREATE INDEX name_updates_name ON name_updates (name_id, block_number, log_index);
CREATE INDEX name_updates_block ON name_updates (block_number);

-- IPNS records PUT to /routing/v1/ipns (signed off chain, checked on arrival, not mirrored): served
-- only while a name's chain record anchors them
CREATE TABLE ipns_records (
  ipns_name TEXT NOT NULL,
  sequence TEXT NOT NULL,
  path TEXT NOT NULL,
  validity INTEGER NOT NULL,
  ttl INTEGER NOT NULL,
  public_key TEXT NOT NULL,
  record BLOB NOT NULL,
  received_at INTEGER NOT NULL,
  PRIMARY KEY (ipns_name, sequence)
) STRICT, WITHOUT ROWID;
`,
  },
  {
    version: 4,
    name: "vaults: their state, snapshots and moves",
    sql: `
ALTER TABLE events ADD COLUMN vault_id INTEGER;
CREATE INDEX events_vault ON events (vault_id) WHERE vault_id IS NOT NULL;

-- a vault as its events left it (rebuilt from them on a reorg); amounts as decimal text
CREATE TABLE vaults (
  vault_id INTEGER PRIMARY KEY,
  owner TEXT NOT NULL,
  home INTEGER NOT NULL,
  quota INTEGER NOT NULL,
  price TEXT NOT NULL,
  escrow TEXT NOT NULL,
  paid_through INTEGER NOT NULL,
  settled_at INTEGER,
  sequence INTEGER NOT NULL,
  manifest TEXT,
  closed INTEGER NOT NULL,
  opened_block INTEGER NOT NULL,
  updated_block INTEGER NOT NULL
) STRICT;
CREATE INDEX vaults_owner ON vaults (owner, vault_id);
CREATE INDEX vaults_home ON vaults (home, vault_id);

CREATE TABLE vault_snapshots (
  vault_id INTEGER NOT NULL,
  sequence INTEGER NOT NULL,
  manifest TEXT NOT NULL,
  blobs TEXT NOT NULL,
  committer TEXT NOT NULL,
  ${provenance},
  UNIQUE (chain_id, tx_hash, log_index)
) STRICT;
CREATE INDEX vault_snapshots_vault ON vault_snapshots (vault_id, sequence);
CREATE INDEX vault_snapshots_block ON vault_snapshots (block_number);

CREATE TABLE vault_moves (
  vault_id INTEGER NOT NULL,
  from_node INTEGER NOT NULL,
  to_node INTEGER NOT NULL,
  sequence INTEGER NOT NULL,
  ${provenance},
  UNIQUE (chain_id, tx_hash, log_index)
) STRICT;
CREATE INDEX vault_moves_vault ON vault_moves (vault_id);
CREATE INDEX vault_moves_block ON vault_moves (block_number);
`,
  },
  {
    version: 5,
    name: "the mirror rebuilt from the chain: settled and reclaimed kept, escrow and fee after extensions, one slash per report",
    // the projections changed (a deleted blob settled later is settled; an extension adds to the
    // escrow and fee; a slash's two shares are one slash): everything mirrored from the chain is
    // fetched again from the deployment block; what was measured or received here stays (node
    // health, route hits, IPNS records)
    sql: `
DELETE FROM events;
DELETE FROM nodes;
DELETE FROM blobs;
DELETE FROM blob_tags;
DELETE FROM blob_holders;
DELETE FROM blob_search;
DELETE FROM certificates;
DELETE FROM proofs;
DELETE FROM missed_proofs;
DELETE FROM slashes;
DELETE FROM payments;
DELETE FROM periods;
DELETE FROM names;
DELETE FROM name_updates;
DELETE FROM vaults;
DELETE FROM vault_snapshots;
DELETE FROM vault_moves;
DELETE FROM blocks;
DELETE FROM cursor;
`,
  },
];
