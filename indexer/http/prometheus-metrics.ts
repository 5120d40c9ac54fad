import { type Registry, registerStatMetrics, type StatMetric } from "../../service/metrics.ts";
import type { IndexerMetrics } from "../metrics.ts";

const gauge = (
  name: string,
  help: string,
  value: (m: IndexerMetrics) => number,
): StatMetric<IndexerMetrics> => ({
  name,
  help,
  type: "gauge",
  value,
});
const counter = (
  name: string,
  help: string,
  value: (m: IndexerMetrics) => number,
): StatMetric<IndexerMetrics> => ({ name, help, type: "counter", value });

/** The indexer's own metrics (names dashboards rely on), read from its counters at scrape time. */
const INDEXER_METRICS: readonly StatMetric<IndexerMetrics>[] = [
  gauge("strata_indexer_head_block", "Chain head as last seen", (m) => m.head),
  gauge("strata_indexer_indexed_block", "Last block indexed", (m) => m.indexed),
  gauge("strata_indexer_lag_blocks", "Head minus indexed", (m) => Math.max(0, m.head - m.indexed)),
  counter("strata_indexer_events_total", "Events applied", (m) => m.eventsIndexed),
  counter("strata_indexer_reorgs_total", "Reorgs rolled back", (m) => m.reorgs),
  counter("strata_indexer_rpc_errors_total", "Failed sync steps", (m) => m.rpcErrors),
  counter("strata_indexer_health_checks_total", "Node health checks", (m) => m.healthChecks),
  counter("strata_indexer_health_failures_total", "Node health checks not answered", (m) => m.healthFailures),
  gauge("strata_indexer_stopped", "1 when stopped by a deep reorg", (m) => (m.stopped ? 1 : 0)),
  gauge("strata_indexer_uptime_seconds", "Seconds since start", (m) => m.uptimeSeconds()),
];

/** Registers the indexer's metrics on `register`, read from `metrics` when it is scraped. */
export function registerIndexerMetrics(register: Registry, metrics: IndexerMetrics): void {
  registerStatMetrics(register, () => metrics, INDEXER_METRICS);
}
