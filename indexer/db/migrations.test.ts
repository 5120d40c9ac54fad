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
