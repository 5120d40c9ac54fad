import type { IndexerConfig } from "../config.ts";
import type { Queries } from "../db/queries.ts";
import type { IndexerMetrics } from "../metrics.ts";

/** What the HTTP routes work with. */
export interface IndexerDeps {
  config: IndexerConfig;
  queries: Queries;
  metrics: IndexerMetrics;
  /** Why the indexer stopped following the chain, if it did. */
  failure: () => Error | undefined;
}
