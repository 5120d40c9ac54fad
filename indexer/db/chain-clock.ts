import type { Db } from "./open-database.ts";

/** What time it is on the indexed chain: the cursor block's timestamp and its proving period. */
export interface ChainTime {
  now: number;
  period: number;
}

/** Reads the chain's time from the cursor, each call. */
export function chainClock(db: Db, options: { genesis: number; periodSeconds: number }): () => ChainTime {
  const cursor = db.prepare("SELECT block_timestamp FROM cursor WHERE id = 1");
  return () => {
    const row = cursor.get() as { block_timestamp: number } | undefined;
    const now = row?.block_timestamp ?? 0;
    const period = now > options.genesis ? Math.floor((now - options.genesis) / options.periodSeconds) : 0;
    return { now, period };
  };
}
