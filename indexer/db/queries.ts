import type { Hex } from "viem";
import { InvalidQueryError } from "../errors.ts";
import type { Db } from "./open-database.ts";

/** What time it is on the indexed chain: the cursor block's timestamp and its proving period. */
export interface ChainTime {
  now: number;
  period: number;
}

export type BlobState = "registered" | "certified" | "deleted" | "expired";
export type NodeState = "active" | "unbonded" | "unbonding" | "jailed" | "dropped" | "withdrawn";

export interface BlobFilters {
  owner?: string;
  /** Blobs this node holds (registered for it, not dropped or pruned). */
  node?: number;
  tag?: string;
  mimeType?: string;
  tier?: "hot" | "cold";
  status?: BlobState;
  limit: number;
  after?: string;
}

/** A blob's status for readers: what the chain recorded, aged by the chain's clock. */
const BLOB_STATE = `CASE
    WHEN b.status = 'deleted' THEN 'deleted'
    WHEN b.status IN ('reclaimed', 'settled') THEN 'expired'
    WHEN b.status = 'certified' AND b.end_period <= @period THEN 'expired'
    WHEN b.status = 'registered' AND b.certify_deadline < @now THEN 'expired'
    ELSE b.status END`;

const BLOB_COLUMNS = `b.blob_id, b.owner, b.cid, b.commitment, b.size, b.tier, b.shard_size, b.recovery, b.epochs,
  b.name, b.mime_type, b.tags, b.status AS chain_status, ${BLOB_STATE} AS state, b.escrow, b.fee, b.paid, b.refunded,
  b.certify_deadline, b.attested, b.start_period, b.end_period, b.registered_block, b.registered_tx, b.updated_block,
  (SELECT count(*) FROM blob_holders hb WHERE hb.blob_id = b.blob_id) AS target_holders,
  (SELECT count(*) FROM blob_holders hb
    WHERE hb.blob_id = b.blob_id AND hb.dropped = 0 AND (b.attested >> hb.holder) & 1) AS live_holders`;

const NODE_COLUMNS = `n.*, h.available, h.latency_ms, h.checks, h.successes, h.last_checked_at, h.last_ok_at,
  h.last_error, h.reads AS served_reads, h.stored_bytes`;

/** The read side of the mirror, as the HTTP API serves it. */
export class Queries {
  readonly chainId: number;
  readonly #db: Db;
  readonly #genesis: number;
  readonly #periodSeconds: number;
  readonly #minStake: () => bigint;
  readonly #s: ReturnType<typeof statements>;

  constructor(
    db: Db,
    options: { chainId: number; genesis: number; periodSeconds: number; minStake: () => bigint },
  ) {
    this.chainId = options.chainId;
    this.#db = db;
    this.#genesis = options.genesis;
    this.#periodSeconds = options.periodSeconds;
    this.#minStake = options.minStake;
    this.#s = statements(db);
  }

  time(): ChainTime {
    const row = this.#s.cursor.get() as { block_timestamp: number } | undefined;
    const now = row?.block_timestamp ?? 0;
    const period = now > this.#genesis ? Math.floor((now - this.#genesis) / this.#periodSeconds) : 0;
    return { now, period };
  }

  /** The nodes that hold live copies of `cid`, best first. */
  route(cid: string) {
    const rows = this.#s.route.all({ cid, ...this.time() }) as RouteRow[];
    const seen = new Set<number>();
    const nodes: ReturnType<typeof routeEntry>[] = [];
    for (const row of rows) {
      if (seen.has(row.node_id)) continue;
      seen.add(row.node_id);
      nodes.push(routeEntry(row, this.#nodeState(row)));
    }
    return { blobs: [...new Set(rows.map((row) => row.blob_id))], nodes };
  }

  /** Counts a routing request for `cid` (its popularity). */
  hit(cid: string): void {
    this.#s.hit.run(cid, Date.now());
  }

  blobs(filters: BlobFilters) {
    const where: string[] = [];
    const params: Record<string, unknown> = { ...this.time(), limit: filters.limit + 1 };
    if (filters.owner) {
      where.push("b.owner = @owner");
      params.owner = filters.owner;
    }
    if (filters.node !== undefined) {
      where.push(
        "b.blob_id IN (SELECT blob_id FROM blob_holders WHERE node_id = @node AND dropped = 0 AND pruned = 0)",
      );
      params.node = filters.node;
    }
    if (filters.tag) {
      where.push("b.blob_id IN (SELECT blob_id FROM blob_tags WHERE tag = @tag)");
      params.tag = filters.tag;
    }
    if (filters.mimeType) {
      where.push("b.mime_type = @mime");
      params.mime = filters.mimeType;
    }
    if (filters.tier) {
      where.push("b.tier = @tier");
      params.tier = filters.tier;
    }
    if (filters.status) {
      where.push(`${BLOB_STATE} = @state`);
      params.state = filters.status;
    }
    if (filters.after) {
      const anchor = this.#s.blobKey.get(filters.after) as { registered_block: number } | undefined;
      if (!anchor) throw new InvalidQueryError(`after: no blob ${filters.after.slice(0, 80)}`);
      where.push("(b.registered_block, b.blob_id) < (@after_block, @after_id)");
      params.after_block = anchor.registered_block;
      params.after_id = filters.after;
    }
    const sql = `SELECT ${BLOB_COLUMNS} FROM blobs b ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
      ORDER BY b.registered_block DESC, b.blob_id DESC LIMIT @limit`;
    const rows = this.#db.prepare(sql).all(params) as BlobRow[];
    const more = rows.length > filters.limit;
    const page = rows.slice(0, filters.limit).map(blobEntry);
    return { blobs: page, next: more ? (page.at(-1)?.blobId ?? null) : null };
  }

  blob(blobId: Hex) {
    const row = this.#s.blob.get({ id: blobId.toLowerCase(), ...this.time() }) as BlobRow | undefined;
    if (!row) return undefined;
    const holders = this.#s.holders.all(row.blob_id) as HolderRow[];
    return {
      ...blobEntry(row),
      holders: holders.map((h) => ({
        holder: h.holder,
        nodeId: h.node_id,
        endpoint: h.endpoint,
        enrolled: h.enrolled === 1,
        dropped: h.dropped === 1,
        pruned: h.pruned === 1,
      })),
      certificates: (this.#s.certificates.all(row.blob_id) as ProvenanceRow[]).map(provenanced),
      payments: (this.#s.blobPayments.all(row.blob_id) as ProvenanceRow[]).map(provenanced),
    };
  }

  /** Full-text search over names, tags and MIME types; `q` is plain words (prefixes match). */
  search(q: string, limit: number) {
    const terms = q.match(/[\p{L}\p{N}_]+/gu) ?? [];
    if (terms.length === 0) throw new InvalidQueryError("q: give at least one word to search for");
    if (terms.length > 16) throw new InvalidQueryError("q: at most 16 words");
    // every word quoted (never FTS5 syntax), each a prefix, all required
    const match = terms.map((term) => `"${term}"*`).join(" ");
    const rows = this.#s.search.all({ match, limit, ...this.time() }) as (BlobRow & { rank: number })[];
    return rows.map((row) => ({ ...blobEntry(row), rank: row.rank }));
  }

  nodes() {
    return (this.#s.nodes.all() as NodeRow[]).map((row) => nodeEntry(row, this.#nodeState(row)));
  }

  node(nodeId: number) {
    const row = this.#s.node.get(nodeId) as NodeRow | undefined;
    if (!row) return undefined;
    return {
      ...nodeEntry(row, this.#nodeState(row)),
      recentProofs: (this.#s.recentProofs.all(nodeId) as ProvenanceRow[]).map(provenanced),
      recentMisses: (this.#s.recentMisses.all(nodeId) as ProvenanceRow[]).map(provenanced),
      slashHistory: (this.#s.slashes.all(nodeId) as ProvenanceRow[]).map(provenanced),
      recentPayments: (this.#s.nodePayments.all(nodeId) as ProvenanceRow[]).map(provenanced),
      blobs: (this.#s.nodeBlobs.get(nodeId) as { count: number }).count,
    };
  }

  /** Registered nodes the health poller visits. */
  endpoints(): { nodeId: number; endpoint: string }[] {
    return (this.#s.endpoints.all() as { node_id: number; endpoint: string }[]).map((r) => ({
      nodeId: r.node_id,
      endpoint: r.endpoint,
    }));
  }

  /** Rows per table. */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const table of COUNTED) {
      out[table] = (this.#db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    }
    return out;
  }

  #nodeState(row: NodeRow): NodeState {
    if (row.withdrawn === 1) return "withdrawn";
    if (row.dropped_period !== null) return "dropped";
    if (row.jailed === 1) return "jailed";
    if (row.unbonding_at !== null) return "unbonding";
    if (BigInt(row.stake) < this.#minStake()) return "unbonded";
    return "active";
  }
}

const COUNTED = [
  "events",
  "nodes",
  "blobs",
  "blob_holders",
  "blob_tags",
  "certificates",
  "proofs",
  "missed_proofs",
  "slashes",
  "payments",
  "periods",
  "blocks",
  "node_health",
  "route_hits",
] as const;

interface BlobRow {
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

interface NodeRow {
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

interface RouteRow extends NodeRow {
  blob_id: string;
  holder: number;
  blob_tier: string;
  blob_state: string;
}

interface HolderRow {
  holder: number;
  node_id: number;
  endpoint: string | null;
  enrolled: number;
  dropped: number;
  pruned: number;
}

type ProvenanceRow = Record<string, unknown> & {
  chain_id: number;
  block_number: number;
  block_hash: string;
  tx_hash: string;
  log_index: number;
};

function camel(key: string): string {
  return key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

function provenanced(row: ProvenanceRow) {
  const { chain_id, block_number, block_hash, tx_hash, log_index, ...rest } = row;
  return {
    ...Object.fromEntries(Object.entries(rest).map(([key, value]) => [camel(key), value])),
    block: { number: block_number, hash: block_hash, tx: tx_hash, logIndex: log_index },
  };
}

function blobEntry(row: BlobRow) {
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

function nodeEntry(row: NodeRow, state: NodeState) {
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

function routeEntry(row: RouteRow, state: NodeState) {
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

function statements(db: Db) {
  return {
    cursor: db.prepare("SELECT block_timestamp FROM cursor WHERE id = 1"),
    route:
      db.prepare(`SELECT ${NODE_COLUMNS}, hb.blob_id, hb.holder, b.tier AS blob_tier, b.status AS blob_state
      FROM blobs b
      JOIN blob_holders hb ON hb.blob_id = b.blob_id AND hb.dropped = 0 AND hb.pruned = 0
      JOIN nodes n ON n.node_id = hb.node_id
      LEFT JOIN node_health h ON h.node_id = n.node_id
      WHERE b.cid = @cid
        AND ((b.status = 'certified' AND b.end_period > @period)
          OR (b.status = 'registered' AND b.certify_deadline >= @now))
        AND n.withdrawn = 0 AND n.dropped_period IS NULL
      ORDER BY (b.status = 'certified') DESC, COALESCE(h.available, 0) DESC, h.latency_ms IS NULL,
        h.latency_ms, n.last_proof_period IS NULL, n.last_proof_period DESC, n.node_id`),
    hit: db.prepare(`INSERT INTO route_hits (cid, hits, last_at) VALUES (?, 1, ?)
      ON CONFLICT (cid) DO UPDATE SET hits = hits + 1, last_at = excluded.last_at`),
    blobKey: db.prepare("SELECT registered_block FROM blobs WHERE blob_id = ?"),
    blob: db.prepare(`SELECT ${BLOB_COLUMNS} FROM blobs b WHERE b.blob_id = @id`),
    holders: db.prepare(`SELECT hb.holder, hb.node_id, n.endpoint, hb.enrolled, hb.dropped, hb.pruned
      FROM blob_holders hb LEFT JOIN nodes n ON n.node_id = hb.node_id WHERE hb.blob_id = ? ORDER BY hb.holder`),
    certificates: db.prepare("SELECT * FROM certificates WHERE blob_id = ? ORDER BY block_number, log_index"),
    blobPayments: db.prepare("SELECT * FROM payments WHERE blob_id = ? ORDER BY block_number, log_index"),
    search:
      db.prepare(`SELECT ${BLOB_COLUMNS}, s.rank AS rank FROM blob_search s JOIN blobs b ON b.blob_id = s.blob_id
      WHERE blob_search MATCH @match ORDER BY s.rank, b.registered_block DESC LIMIT @limit`),
    nodes: db.prepare(
      `SELECT ${NODE_COLUMNS} FROM nodes n LEFT JOIN node_health h ON h.node_id = n.node_id ORDER BY n.node_id`,
    ),
    node: db.prepare(
      `SELECT ${NODE_COLUMNS} FROM nodes n LEFT JOIN node_health h ON h.node_id = n.node_id WHERE n.node_id = ?`,
    ),
    recentProofs: db.prepare(
      "SELECT * FROM proofs WHERE node_id = ? ORDER BY block_number DESC, log_index DESC LIMIT 20",
    ),
    recentMisses: db.prepare(
      "SELECT * FROM missed_proofs WHERE node_id = ? ORDER BY block_number DESC, log_index DESC LIMIT 20",
    ),
    slashes: db.prepare("SELECT * FROM slashes WHERE node_id = ? ORDER BY block_number, log_index"),
    nodePayments: db.prepare(
      "SELECT * FROM payments WHERE node_id = ? ORDER BY block_number DESC, log_index DESC LIMIT 50",
    ),
    nodeBlobs: db.prepare(
      "SELECT count(DISTINCT blob_id) AS count FROM blob_holders WHERE node_id = ? AND dropped = 0 AND pruned = 0",
    ),
    endpoints: db.prepare("SELECT node_id, endpoint FROM nodes WHERE withdrawn = 0 ORDER BY node_id"),
  };
}
