/** Counters and gauges of the indexer, for /stats and /metrics. */
export class IndexerMetrics {
  readonly startedAt = Date.now();
  /** The chain's head as last seen, and the last block indexed (with its timestamp). */
  head = 0;
  indexed = 0;
  indexedTimestamp = 0;
  eventsIndexed = 0;
  /** Events read from the chain, new or already mirrored (a rerun over indexed blocks reads, adds nothing). */
  eventsRead = 0;
  reorgs = 0;
  rpcErrors = 0;
  /** Set when a reorg below the kept window stopped the indexer. */
  stopped = false;
  healthChecks = 0;
  healthFailures = 0;
  requests = 0;

  uptimeSeconds(): number {
    return Math.floor((Date.now() - this.startedAt) / 1000);
  }
}
