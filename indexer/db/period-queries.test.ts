import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { migrate } from "./open-database.ts";
import { PeriodQueries } from "./period-queries.ts";

const P = "31337, 1, '0x01'";

function database() {
  const db = new Database(":memory:");
  migrate(db);
  const blob = (id: string, size: number, start: number | null, end: number | null) =>
    db
      .prepare(`INSERT INTO blobs (blob_id, owner, cid, commitment, size, tier, shard_size, recovery, epochs, name,
        mime_type, tags, status, escrow, fee, paid, refunded, certify_deadline, attested, start_period, end_period,
        registered_block, registered_tx, updated_block)
      VALUES (?, '0x0', 'bafy', '0x0', ?, 'hot', 0, 0, 1, '', '', '[]', 'certified', '0', '0', '0', '0', 0, 1, ?, ?, 1, '0x', 1)`)
      .run(id, size, start, end);
  blob("0xa", 100, 3, 6); // certified in period 2, paid for 3..5: held in 2..5
  blob("0xb", 50, 5, 6); // certified in period 4: held in 4 and 5
  blob("0xc", 7, null, null); // never certified
  db.exec(`
    INSERT INTO proofs (node_id, period, samples, chain_id, block_number, block_hash, tx_hash, log_index)
      VALUES (1, 4, 8, ${P}, '0xp1', 0), (2, 4, 8, ${P}, '0xp2', 0), (1, 5, 8, ${P}, '0xp3', 0);
    INSERT INTO missed_proofs (node_id, period, misses_in_row, reporter, chain_id, block_number, block_hash, tx_hash, log_index)
      VALUES (2, 5, 1, '0xr', ${P}, '0xm1', 0);
    -- one report: a share to the reporter, the rest to the treasury
    INSERT INTO slashes (node_id, recipient, amount, remaining, chain_id, block_number, block_hash, tx_hash, log_index)
      VALUES (2, '0xr', '10', '90', ${P}, '0xm1', 1), (2, '0xt', '30', '60', ${P}, '0xm1', 2);
    INSERT INTO cursor (id, block_number, block_hash, block_timestamp) VALUES (1, 9, '0x09', 0);
  `);
  return db;
}

describe("periods", () => {
  it("counts proofs, misses and slashes (one per report) and the bytes stored, period by period", () => {
    const queries = new PeriodQueries(database(), () => ({ now: 0, period: 6 }));
    const { current, periods } = queries.periods(5);
    expect(current).toBe(6);
    expect(periods.map((p) => p.period)).toEqual([2, 3, 4, 5, 6]);
    expect(periods.map((p) => p.storedBytes)).toEqual([100, 100, 150, 150, 0]);
    expect(periods.map((p) => p.blobs)).toEqual([1, 1, 2, 2, 0]);
    expect(periods.map((p) => p.proofs)).toEqual([0, 0, 2, 1, 0]);
    const five = periods[3]!;
    expect(five).toMatchObject({ misses: 1, slashes: 1, slashed: "40" });
    expect(five.nodes).toEqual([
      { nodeId: 1, proofs: 1, misses: 0, slashes: 0 },
      { nodeId: 2, proofs: 0, misses: 1, slashes: 1 },
    ]);
  });

  it("pages back with `before` and never starts below period 0", () => {
    const queries = new PeriodQueries(database(), () => ({ now: 0, period: 6 }));
    expect(queries.periods(2, 5).periods.map((p) => p.period)).toEqual([3, 4]);
    expect(queries.periods(100).periods[0]!.period).toBe(0);
    expect(queries.periods(3, 0).periods).toEqual([]);
  });
});
