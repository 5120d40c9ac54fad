import type { FastifyError, FastifyInstance } from "fastify";
import { NodeError, nodeErrorOfRevert, RangeNotSatisfiableError } from "../errors.ts";

/**
 * One error handler: NodeErrors keep their code and status, a transaction the chain refused gets
 * its own (NODE_ERR_NODE_DROPPED, NODE_ERR_CHAIN_REFUSED...), schema failures are 400s, the rest 500s.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((thrown: FastifyError, request, reply) => {
    const error = (nodeErrorOfRevert(thrown) ?? thrown) as FastifyError;
    // refused before the whole body was read (an upload stopped early): the connection cannot be
    // reused, so say so and close it once the reply is out
    if (!request.raw.complete) reply.header("connection", "close");
    if (error instanceof NodeError) {
      if (error instanceof RangeNotSatisfiableError) reply.header("content-range", `bytes */${error.size}`);
      if (error.statusCode >= 500) request.log.error({ err: error }, error.message);
      else request.log.info({ code: error.code, status: error.statusCode }, error.message);
      return reply.code(error.statusCode).send({ error: { code: error.code, message: error.message } });
    }
    if (error.validation) {
      return reply.code(400).send({ error: { code: "NODE_ERR_VALIDATION", message: error.message } });
    }
    if (error.statusCode === 413 || error.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
      return reply.code(413).send({ error: { code: "NODE_ERR_TOO_LARGE", message: error.message } });
    }
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      return reply
        .code(error.statusCode)
        .send({ error: { code: "NODE_ERR_BAD_REQUEST", message: error.message } });
    }
    request.log.error({ err: error }, "request failed");
    return reply.code(500).send({ error: { code: "NODE_ERR_INTERNAL", message: "internal error" } });
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send({ error: { code: "NODE_ERR_NO_ROUTE", message: `no route ${request.method} ${request.url}` } }),
  );
}
