import type { PeriodActivity } from "../../api/indexer/index.ts";
import type { ChainTime } from "./chain-clock.ts";
import type { Db } from "./open-database.ts";
import { addAmount } from "./projected-event.ts";

type Counted = { period: number; node_id: number; n: number };
type Slashed = { period: number; node_id: number; tx_hash: string; amount: string };
type Term = { start_period: number; end_period: number; size: number };

/**
 * What happened period by period (GET /periods): proofs and misses as the chain recorded them,
 * slashes by the period of the miss their report names (a report without a miss in the same
 * transaction by the period its block fell in), and the certified blobs the nodes hold in each
 * period, with their bytes: from the period a blob was certified in (`startPeriod - 1`: its paid
 * term starts the next one) until its term ends at `endPeriod` (at its deletion, if deleted).
 */
export class PeriodQueries {
  readonly #time: () => ChainTime;
  readonly #s: ReturnType<typeof statements>;

  constructor(db: Db, time: () => ChainTime) {
    this.#time = time;
    this.#s = statements(db);
  }

  /** `limit` periods ending just before `before` (default: up to and with the current one), oldest first. */
  periods(limit: number, before?: number): { current: number; periods: PeriodActivity[] } {
    const { period: current } = this.#time();
    const last = Math.min(current, (before ?? current + 1) - 1);
    const first = Math.max(0, last - limit + 1);
    if (last < first) return { current, periods: [] };
    const range = { first, last };
    const byPeriod = new Map<number, PeriodActivity>();
    const at = (period: number): PeriodActivity => {
      let entry = byPeriod.get(period);
      if (!entry) {
        entry = {
          period,
          proofs: 0,
          misses: 0,
          slashes: 0,
          slashed: "0",
          blobs: 0,
          storedBytes: 0,
          nodes: [],
        };
        byPeriod.set(period, entry);
      }
      return entry;
    };
    const nodeAt = (period: number, nodeId: number) => {
      const entry = at(period);
      let node = entry.nodes.find((n) => n.nodeId === nodeId);
      if (!node) {
        node = { nodeId, proofs: 0, misses: 0, slashes: 0 };
        entry.nodes.push(node);
      }
      return node;
    };
    for (let period = first; period <= last; period++) at(period);

    for (const row of this.#s.proofs.all(range) as Counted[]) {
      at(row.period).proofs += row.n;
      nodeAt(row.period, row.node_id).proofs += row.n;
    }
    for (const row of this.#s.misses.all(range) as Counted[]) {
      at(row.period).misses += row.n;
      nodeAt(row.period, row.node_id).misses += row.n;
    }
    // a report's NodeSlashed events (one per share) are one slash
    const seen = new Set<string>();
    for (const row of this.#s.slashes.all(range) as Slashed[]) {
      const entry = at(row.period);
      entry.slashed = addAmount(entry.slashed, row.amount);
      const key = `${row.tx_hash}/${row.node_id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      entry.slashes += 1;
      nodeAt(row.period, row.node_id).slashes += 1;
    }

    // stored: a running sum of the changes where terms that overlap the range start and end
    const blobsDelta = new Array<number>(last - first + 2).fill(0);
    const bytesDelta = new Array<number>(last - first + 2).fill(0);
    for (const term of this.#s.terms.all(range) as Term[]) {
      // held from the period it was certified in, the one before its paid term starts
      const from = Math.max(term.start_period - 1, first) - first;
      const to = Math.min(term.end_period, last + 1) - first;
      blobsDelta[from] = (blobsDelta[from] ?? 0) + 1;
      bytesDelta[from] = (bytesDelta[from] ?? 0) + term.size;
      blobsDelta[to] = (blobsDelta[to] ?? 0) - 1;
      bytesDelta[to] = (bytesDelta[to] ?? 0) - term.size;
    }
    let blobs = 0;
    let bytes = 0;
    for (let period = first; period <= last; period++) {
      blobs += blobsDelta[period - first] ?? 0;
      bytes += bytesDelta[period - first] ?? 0;
      const entry = at(period);
      entry.blobs = blobs;
      entry.storedBytes = bytes;
      entry.nodes.sort((a, b) => a.nodeId - b.nodeId);
    }
    return { current, periods: [...byPeriod.values()].sort((a, b) => a.period - b.period) };
  }
}

function statements(db: Db) {
  return {
    proofs: db.prepare(`SELECT period, node_id, count(*) AS n FROM proofs
      WHERE period BETWEEN @first AND @last GROUP BY period, node_id`),
    misses: db.prepare(`SELECT period, node_id, count(*) AS n FROM missed_proofs
      WHERE period BETWEEN @first AND @last GROUP BY period, node_id`),
    // the miss reported in the same transaction names the period; else the last seed before it
    slashes: db.prepare(`SELECT * FROM (
        SELECT COALESCE(
            (SELECT m.period FROM missed_proofs m WHERE m.tx_hash = s.tx_hash AND m.node_id = s.node_id LIMIT 1),
            (SELECT max(p.period) FROM periods p WHERE p.block_number <= s.block_number),
            0) AS period,
          s.node_id, s.tx_hash, s.amount
        FROM slashes s ORDER BY s.block_number, s.log_index)
      WHERE period BETWEEN @first AND @last`),
    terms: db.prepare(`SELECT start_period, end_period, size FROM blobs
      WHERE start_period IS NOT NULL AND end_period IS NOT NULL
        AND start_period - 1 <= @last AND end_period > @first AND end_period > start_period`),
  };
}
