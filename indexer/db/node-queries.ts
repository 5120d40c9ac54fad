import type { IndexedPayment, IndexedSlash } from "../../api/indexer/index.ts";
import type { Db } from "./open-database.ts";
import { addAmount } from "./projected-event.ts";
import { NODE_COLUMNS } from "./query-columns.ts";
import type { NodeRow, ProvenanceRow } from "./query-rows.ts";
import { nodeEntry, nodeState, provenanced } from "./row-mappers.ts";

/** Node listings, one node with its recent history, and the endpoints to health-check. */
export class NodeQueries {
  readonly #minStake: () => bigint;
  readonly #s: ReturnType<typeof statements>;

  constructor(db: Db, options: { minStake: () => bigint }) {
    this.#minStake = options.minStake;
    this.#s = statements(db);
  }

  nodes() {
    return (this.#s.nodes.all() as NodeRow[]).map((row) => nodeEntry(row, nodeState(row, this.#minStake())));
  }

  node(nodeId: number) {
    const row = this.#s.node.get(nodeId) as NodeRow | undefined;
    if (!row) return undefined;
    return {
      ...nodeEntry(row, nodeState(row, this.#minStake())),
      recentProofs: (this.#s.recentProofs.all(nodeId) as ProvenanceRow[]).map(provenanced),
      recentMisses: (this.#s.recentMisses.all(nodeId) as ProvenanceRow[]).map(provenanced),
      slashHistory: slashesOf(this.#s.slashes.all(nodeId) as SlashRow[]),
      recentPayments: (this.#s.payments.all(nodeId) as ProvenanceRow[]).map(provenanced) as IndexedPayment[],
      blobs: (this.#s.blobCount.get(nodeId) as { count: number }).count,
    };
  }

  /** Registered nodes the health poller visits. */
  endpoints(): { nodeId: number; endpoint: string }[] {
    return (this.#s.endpoints.all() as { node_id: number; endpoint: string }[]).map((r) => ({
      nodeId: r.node_id,
      endpoint: r.endpoint,
    }));
  }
}

type SlashRow = ProvenanceRow & { node_id: number; recipient: string; amount: string; remaining: string };

/**
 * The slashes of a node, oldest first: one per transaction (a missed-proof report pays a share
 * to the reporter and the rest to the treasury, a NodeSlashed event each), shares in log order.
 */
function slashesOf(rows: SlashRow[]): IndexedSlash[] {
  const slashes: IndexedSlash[] = [];
  let last: SlashRow | undefined;
  for (const row of rows) {
    const current = slashes.at(-1);
    if (current && last?.tx_hash === row.tx_hash) {
      current.amount = addAmount(current.amount, row.amount);
      current.remaining = row.remaining;
      current.shares.push({ recipient: row.recipient, amount: row.amount });
    } else {
      const { block } = provenanced(row);
      slashes.push({
        nodeId: row.node_id,
        amount: row.amount,
        remaining: row.remaining,
        shares: [{ recipient: row.recipient, amount: row.amount }],
        block,
      });
    }
    last = row;
  }
  return slashes;
}

function statements(db: Db) {
  return {
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
    payments: db.prepare(
      "SELECT * FROM payments WHERE node_id = ? ORDER BY block_number DESC, log_index DESC LIMIT 50",
    ),
    blobCount: db.prepare(
      "SELECT count(DISTINCT blob_id) AS count FROM blob_holders WHERE node_id = ? AND dropped = 0 AND pruned = 0",
    ),
    endpoints: db.prepare("SELECT node_id, endpoint FROM nodes WHERE withdrawn = 0 ORDER BY node_id"),
  };
}
