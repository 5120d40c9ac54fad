import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { type MetricSample, renderPrometheus } from "../../../node/metrics.ts";
import type { IndexerDeps } from "../deps.ts";

/** GET /stats, /health and /metrics. */
export function statusRoutes(deps: IndexerDeps): FastifyPluginAsyncTypebox {
  const lag = () => Math.max(0, deps.metrics.head - deps.metrics.indexed);
  return async (app) => {
    app.get(
      "/stats",
      {
        schema: {
          summary: "Head block, indexed block, lag, and rows per table",
          response: {
            200: Type.Object({
              chainId: Type.Integer(),
              headBlock: Type.Integer(),
              indexedBlock: Type.Integer(),
              indexedTimestamp: Type.Integer(),
              lag: Type.Integer({ description: "Blocks between the head and the last block indexed" }),
              confirmations: Type.Integer(),
              period: Type.Integer(),
              eventsIndexed: Type.Integer({ description: "Events applied since this process started" }),
              reorgs: Type.Integer(),
              rpcErrors: Type.Integer(),
              uptimeSeconds: Type.Integer(),
              rows: Type.Record(Type.String(), Type.Integer()),
            }),
          },
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
      "/health",
      {
        schema: {
          summary: "Following the chain (200), or stopped (503, with why)",
          response: {
            200: Type.Object({
              status: Type.Literal("ok"),
              indexedBlock: Type.Integer(),
              lag: Type.Integer(),
            }),
            503: Type.Object({
              status: Type.Literal("stopped"),
              indexedBlock: Type.Integer(),
              error: Type.Object({ code: Type.String(), message: Type.String() }),
            }),
          },
        },
      },
      async (_request, reply) => {
        const failure = deps.failure();
        if (failure) {
          const code = (failure as { code?: string }).code ?? "INDEXER_ERR_STOPPED";
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
      "/metrics",
      { schema: { summary: "Prometheus text format", response: { 200: Type.String() } } },
      async (_request, reply) => {
        const m = deps.metrics;
        const samples: MetricSample[] = [
          {
            name: "strata_indexer_head_block",
            help: "Chain head as last seen",
            type: "gauge",
            value: m.head,
          },
          {
            name: "strata_indexer_indexed_block",
            help: "Last block indexed",
            type: "gauge",
            value: m.indexed,
          },
          { name: "strata_indexer_lag_blocks", help: "Head minus indexed", type: "gauge", value: lag() },
          {
            name: "strata_indexer_events_total",
            help: "Events applied",
            type: "counter",
            value: m.eventsIndexed,
          },
          {
            name: "strata_indexer_reorgs_total",
            help: "Reorgs rolled back",
            type: "counter",
            value: m.reorgs,
          },
          {
            name: "strata_indexer_rpc_errors_total",
            help: "Failed sync steps",
            type: "counter",
            value: m.rpcErrors,
          },
          {
            name: "strata_indexer_health_checks_total",
            help: "Node health checks",
            type: "counter",
            value: m.healthChecks,
          },
          {
            name: "strata_indexer_health_failures_total",
            help: "Node health checks not answered",
            type: "counter",
            value: m.healthFailures,
          },
          {
            name: "strata_indexer_stopped",
            help: "1 when stopped by a deep reorg",
            type: "gauge",
            value: m.stopped ? 1 : 0,
          },
          {
            name: "strata_indexer_uptime_seconds",
            help: "Seconds since start",
            type: "gauge",
            value: m.uptimeSeconds(),
          },
        ];
        return reply.header("content-type", "text/plain; version=0.0.4").send(renderPrometheus(samples));
      },
    );
  };
}
