import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { IndexerError } from "../errors.ts";
import { migrations as allMigrations, type Migration } from "./migrations.ts";

export type Db = Database.Database;

/**
 * Opens (creating if needed) the indexer's SQLite file in WAL mode and brings its schema up to
 * date. `synchronous = NORMAL`: a killed process loses nothing committed (the WAL is complete);
 * a power cut may lose the last transactions, which the indexer then simply fetches again (its
 * cursor is in the same transactions as the rows).
 */
export async function openDatabase(
  file: string,
  migrations: readonly Migration[] = allMigrations,
): Promise<Db> {
  if (file !== ":memory:") await mkdir(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 5000");
  db.pragma("foreign_keys = OFF");
  migrate(db, migrations);
  return db;
}

/** Applies the migrations the database has not seen, each in its own transaction, in order. */
export function migrate(db: Db, migrations: readonly Migration[] = allMigrations): number[] {
  db.exec(
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT",
  );
  const applied = new Set(
    (db.prepare("SELECT version FROM schema_migrations").all() as { version: number }[]).map(
      (r) => r.version,
    ),
  );
  const known = new Set(migrations.map((m) => m.version));
  for (const version of applied) {
    if (!known.has(version)) {
      throw new IndexerError(
        "INDEXER_ERR_SCHEMA",
        500,
        `the database has schema version ${version}, which this indexer does not know (newer build?)`,
      );
    }
  }
  const ran: number[] = [];
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  sorted.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new IndexerError(
        "INDEXER_ERR_SCHEMA",
        500,
        `migrations must be numbered 1, 2, 3…; found ${migration.version}`,
      );
    }
  });
  for (const migration of sorted) {
    if (applied.has(migration.version)) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)").run(
        migration.version,
        migration.name,
        Date.now(),
      );
    })();
    ran.push(migration.version);
  }
  return ran;
}
