import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { IndexerPath, IndexerSchema } from "../../../api/indexer/index.ts";
import type { IndexerDeps } from "../deps.ts";

/** GET /periods: the network's activity period by period (the console's charts). */
export function periodRoutes(deps: IndexerDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      IndexerPath.periods,
      {
        schema: {
          summary: "Proofs, misses, slashes and stored bytes per proving period, oldest first",
          description:
            "The last `limit` periods up to the current one (or before `before`), each with its totals and the nodes that proved, missed or were slashed in it.",
          ...IndexerSchema.periods,
        },
      },
      async (request) => deps.queries.periods(request.query.limit, request.query.before),
    );
  };
}
