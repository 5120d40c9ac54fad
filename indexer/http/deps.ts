import type { Registry } from "../../service/metrics.ts";
import type { IndexerConfig } from "../config.ts";
import type { Queries } from "../db/queries.ts";
import type { IndexerMetrics } from "../metrics.ts";
import type { IpnsRecordStore } from "../names/ipns-record-store.ts";
import type { NameQueries } from "../names/name-queries.ts";
import type { VaultQueries } from "../vaults/vault-queries.ts";

/** What the HTTP routes work with. */
export interface IndexerDeps {
  config: IndexerConfig;
  queries: Queries;
  names: NameQueries;
  ipnsRecords: IpnsRecordStore;
  vaults: VaultQueries;
  metrics: IndexerMetrics;
  /** The process's metrics registry: /metrics serves it, the routes add theirs. */
  registry: Registry;
  /** Why the indexer stopped following the chain, if it did. */
  failure: () => Error | undefined;
}
