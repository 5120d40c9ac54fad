import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { CID } from "multiformats/cid";
import { IndexerPath, IndexerSchema } from "../../../api/indexer/index.ts";
import { InvalidQueryError, NotFoundError } from "../../errors.ts";
import type { IndexerDeps } from "../deps.ts";

/** GET /route/:cid: where to fetch content from. */
export function routingRoutes(deps: IndexerDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      IndexerPath.route,
      {
        schema: {
          summary: "The nodes holding live copies of a CID, best first",
          description:
            "Certified copies before merely registered ones, then nodes that answered their last health check, lower latency, and more recent proofs.",
          ...IndexerSchema.route,
        },
      },
      async (request) => {
        let cid: string;
        try {
          cid = CID.parse(request.params.cid).toString();
        } catch {
          throw new InvalidQueryError(`not a CID: ${request.params.cid.slice(0, 100)}`);
        }
        deps.queries.hit(cid);
        const route = deps.queries.route(cid);
        if (route.nodes.length === 0) throw new NotFoundError(`a live copy of ${cid}`);
        return { cid, ...route };
      },
    );
  };
}
