import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { migrations } from "./migrations.ts";
import { migrate } from "./open-database.ts";

describe("migrations", () => {
  it("are numbered 1, 2, 3… and apply once, in order", () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
    const db = new Database(":memory:");
    expect(migrate(db)).toEqual(migrations.map((m) => m.version));
    expect(migrate(db)).toEqual([]);
    const tables = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]
    ).map((t) => t.name);
    expect(tables).toEqual(
      expect.arrayContaining(["events", "nodes", "blobs", "cursor", "blocks", "node_health"]),
    );
  });

  it("bring an older database up to date, and refuse one from a newer build", () => {
    const db = new Database(":memory:");
    expect(migrate(db, migrations.slice(0, 1))).toEqual([1]);
    expect(migrate(db)).toEqual(migrations.slice(1).map((m) => m.version));
    const future = [
      ...migrations,
      { version: migrations.length + 1, name: "future", sql: "CREATE TABLE later (x)" },
    ];
    const newer = new Database(":memory:");
    migrate(newer, future);
    expect(() => migrate(newer)).toThrow(/newer build/);
  });

  it("version 5 empties the chain mirror (fetched again from the chain) and keeps what was measured or received here", () => {
    const db = new Database(":memory:");
    migrate(db, migrations.slice(0, 4));
    db.exec(`
      INSERT INTO meta (key, value) VALUES ('chainId', '31337');
      INSERT INTO cursor (id, block_number, block_hash, block_timestamp) VALUES (1, 9, '0x09', 90);
      INSERT INTO blocks (number, hash, timestamp) VALUES (9, '0x09', 90);
      INSERT INTO events (chain_id, block_number, block_hash, tx_hash, log_index, contract, address, name, args)
        VALUES (31337, 9, '0x09', '0xaa', 0, 'registry', '0x01', 'NodeSlashed', '{}');
      INSERT INTO slashes (node_id, recipient, amount, remaining, chain_id, block_number, block_hash, tx_hash, log_index)
        VALUES (1, '0x02', '1', '0', 31337, 9, '0x09', '0xaa', 0);
      INSERT INTO route_hits (cid, hits, last_at) VALUES ('bafy', 3, 1);
      INSERT INTO node_health (node_id, checks, successes, available, last_checked_at) VALUES (1, 2, 2, 1, 1);
    `);
    expect(migrate(db)).toEqual(migrations.slice(4).map((m) => m.version));
    const count = (table: string) =>
      (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    for (const table of ["cursor", "blocks", "events", "slashes"]) expect(count(table), table).toBe(0);
    for (const table of ["meta", "route_hits", "node_health"]) expect(count(table), table).toBe(1);
  });

  it("a failing migration leaves nothing of itself behind", () => {
    const db = new Database(":memory:");
    const broken = [
      ...migrations,
      { version: migrations.length + 1, name: "broken", sql: "CREATE TABLE ok (x); NOT SQL" },
    ];
    expect(() => migrate(db, broken)).toThrow();
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'ok'").get()).toBeUndefined();
    expect((db.prepare("SELECT max(version) AS v FROM schema_migrations").get() as { v: number }).v).toBe(
      migrations.length,
    );
  });
});
