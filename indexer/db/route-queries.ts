import type { ChainTime } from "./chain-clock.ts";
import type { Db } from "./open-database.ts";
import { NODE_COLUMNS } from "./query-columns.ts";
import type { RouteRow } from "./query-rows.ts";
import { nodeState, routeEntry } from "./row-mappers.ts";

/** Which nodes serve a CID, and how often it is asked for. */
export class RouteQueries {
  readonly #time: () => ChainTime;
  readonly #minStake: () => bigint;
  readonly #s: ReturnType<typeof statements>;

  constructor(db: Db, options: { time: () => ChainTime; minStake: () => bigint }) {
    this.#time = options.time;
    this.#minStake = options.minStake;
    this.#s = statements(db);
  }

  /** The nodes that hold live copies of `cid`, best first. */
  route(cid: string) {
    const rows = this.#s.route.all({ cid, ...this.#time() }) as RouteRow[];
    const seen = new Set<number>();
    const nodes: ReturnType<typeof routeEntry>[] = [];
    for (const row of rows) {
      if (seen.has(row.node_id)) continue;
      seen.add(row.node_id);
      nodes.push(routeEntry(row, nodeState(row, this.#minStake())));
    }
    return { blobs: [...new Set(rows.map((row) => row.blob_id))], nodes };
  }

  /** Counts a routing request for `cid` (its popularity). */
  hit(cid: string): void {
    this.#s.hit.run(cid, Date.now());
  }
}

function statements(db: Db) {
  return {
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
  };
}
