import type { FastifyInstance } from "fastify";
import { installErrorHandler as installServiceErrorHandler } from "../../service/error-handler.ts";
import { nodeErrorOfRevert, RangeNotSatisfiableError } from "../errors.ts";

/**
 * The node's error handler: the service's (NodeErrors keep their code and status, schema failures
 * are 400s, the rest 500s), where a transaction the chain refused gets its own code
 * (NODE_ERR_NODE_DROPPED, NODE_ERR_CHAIN_REFUSED...) and a 416 says the size it could serve.
 */
export function installErrorHandler(app: FastifyInstance): void {
  installServiceErrorHandler(app, {
    prefix: "NODE",
    translate: nodeErrorOfRevert,
    decorate: (error, reply) => {
      if (error instanceof RangeNotSatisfiableError) reply.header("content-range", `bytes */${error.size}`);
    },
  });
}
