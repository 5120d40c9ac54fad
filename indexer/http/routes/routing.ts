import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { CID } from "multiformats/cid";
import { InvalidQueryError, NotFoundError } from "../../errors.ts";
import type { IndexerDeps } from "../deps.ts";
import { errors, RouteReply } from "../schemas.ts";

/** GET /route/:cid: where to fetch content from. */
export function routingRoutes(deps: IndexerDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      "/route/:cid",
      {
        schema: {
          summary: "The nodes holding live copies of a CID, best first",
          description:
            "Certified copies before merely registered ones, then nodes that answered their last health check, lower latency, and more recent proofs.",
          params: Type.Object({ cid: Type.String({ minLength: 1, maxLength: 200 }) }),
          response: { 200: RouteReply, ...errors(400, 404) },
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
