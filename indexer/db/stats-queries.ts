import type { Db } from "./open-database.ts";

/** The tables `/status` reports row counts for. */
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

/** Rows per table. */
export function countRows(db: Db): Record<string, number> {
  const out: Record<string, number> = {};
  for (const table of COUNTED) {
    out[table] = (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  }
  return out;
}
