import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { IndexerPath, IndexerSchema } from "../../../api/indexer/index.ts";
import { stopCodeOf } from "../../errors.ts";
import type { IndexerDeps } from "../deps.ts";
import { registerIndexerMetrics } from "../prometheus-metrics.ts";

/** GET /stats, /health and /metrics. */
export function statusRoutes(deps: IndexerDeps): FastifyPluginAsyncTypebox {
  const lag = () => Math.max(0, deps.metrics.head - deps.metrics.indexed);
  registerIndexerMetrics(deps.registry, deps.metrics);
  return async (app) => {
    app.get(
      IndexerPath.stats,
      {
        schema: {
          summary: "Head block, indexed block, lag, and rows per table",
          ...IndexerSchema.stats,
        },
      },
      async () => ({
        chainId: deps.queries.chainId,
        headBlock: deps.metrics.head,
        indexedBlock: deps.metrics.indexed,
        indexedTimestamp: deps.metrics.indexedTimestamp,
        lag: lag(),
        confirmations: deps.config.confirmations,
        period: deps.queries.time().period,
        eventsIndexed: deps.metrics.eventsIndexed,
        reorgs: deps.metrics.reorgs,
        rpcErrors: deps.metrics.rpcErrors,
        uptimeSeconds: deps.metrics.uptimeSeconds(),
        rows: deps.queries.counts(),
      }),
    );

    app.get(
      IndexerPath.health,
      {
        schema: {
          summary: "Following the chain (200), or stopped (503, with why)",
          ...IndexerSchema.health,
        },
      },
      async (_request, reply) => {
        const failure = deps.failure();
        if (failure) {
          const code = stopCodeOf(failure);
          return reply.code(503).send({
            status: "stopped" as const,
            indexedBlock: deps.metrics.indexed,
            error: { code, message: failure.message },
          });
        }
        return { status: "ok" as const, indexedBlock: deps.metrics.indexed, lag: lag() };
      },
    );

    app.get(
      IndexerPath.metrics,
      {
        schema: {
          summary: "Prometheus metrics: the indexer's counters, request latency, process metrics",
          ...IndexerSchema.metrics,
        },
      },
      async (_request, reply) => reply.type(deps.registry.contentType).send(await deps.registry.metrics()),
    );
  };
}
