import type { Db } from "./open-database.ts";

const PROVENANCE = ["chain_id", "block_number", "block_hash", "tx_hash", "log_index"];

/** Inserts of the rows that are events themselves; a replayed event is ignored. */
export function factStatements(db: Db) {
  const fact = (table: string, columns: string[]) =>
    db.prepare(
      `INSERT OR IGNORE INTO ${table} (${[...columns, ...PROVENANCE].join(", ")})
       VALUES (${[...columns, ...PROVENANCE].map((c) => `@${c}`).join(", ")})`,
    );
  return {
    insertCertificate: fact("certificates", ["blob_id", "attested", "start_period", "end_period"]),
    insertProof: fact("proofs", ["node_id", "period", "samples"]),
    insertMiss: fact("missed_proofs", ["node_id", "period", "misses_in_row", "reporter"]),
    insertSlash: fact("slashes", ["node_id", "recipient", "amount", "remaining"]),
    insertPeriod: fact("periods", ["period", "seed_block"]),
    insertPayment: fact("payments", ["kind", "blob_id", "node_id", "account", "amount"]),
  };
}

export type FactStatements = ReturnType<typeof factStatements>;
