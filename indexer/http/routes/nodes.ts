import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { NotFoundError } from "../../errors.ts";
import type { IndexerDeps } from "../deps.ts";
import { errors, Node, NodeDetail } from "../schemas.ts";

/** GET /nodes and /nodes/:id. */
export function nodeRoutes(deps: IndexerDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      "/nodes",
      {
        schema: {
          summary: "Every registered node with its stake, standing and health",
          response: { 200: Type.Object({ nodes: Type.Array(Node) }) },
        },
      },
      async () => ({ nodes: deps.queries.nodes() }),
    );

    app.get(
      "/nodes/:id",
      {
        schema: {
          summary: "One node, with its recent proofs, misses, slashes and payments",
          params: Type.Object({ id: Type.Integer({ minimum: 1, maximum: 0xffffff }) }),
          response: { 200: NodeDetail, ...errors(400, 404) },
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
