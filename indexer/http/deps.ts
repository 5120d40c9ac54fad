import type { Registry } from "../../service/metrics.ts";
import type { IndexerConfig } from "../config.ts";
import type { Queries } from "../db/queries.ts";
import type { IndexerMetrics } from "../metrics.ts";

/** What the HTTP routes work with. */
export interface IndexerDeps {
  config: IndexerConfig;
  queries: Queries;
  metrics: IndexerMetrics;
  /** The process's metrics registry: /metrics serves it, the routes add theirs. */
  registry: Registry;
  /** Why the indexer stopped following the chain, if it did. */
  failure: () => Error | undefined;
}
