import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { IndexerPath, IndexerSchema } from "../../../api/indexer/index.ts";
import { NotFoundError } from "../../errors.ts";
import type { IndexerDeps } from "../deps.ts";

/** GET /nodes and /nodes/:id. */
export function nodeRoutes(deps: IndexerDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      IndexerPath.nodes,
      {
        schema: {
          summary: "Every registered node with its stake, standing and health",
          ...IndexerSchema.nodes,
        },
      },
      async () => ({ nodes: deps.queries.nodes() }),
    );

    app.get(
      IndexerPath.node,
      {
        schema: {
          summary: "One node, with its recent proofs, misses, slashes and payments",
          ...IndexerSchema.node,
        },
      },
      async (request) => {
        const node = deps.queries.node(request.params.id);
        if (!node) throw new NotFoundError(`node ${request.params.id}`);
        return node;
      },
    );
  };
}
