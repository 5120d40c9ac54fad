import type { FastifyError, FastifyInstance } from "fastify";
import { IndexerError } from "../errors.ts";

/** IndexerErrors keep their code and status, schema failures are 400s, the rest 500s. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof IndexerError) {
      if (error.statusCode >= 500) request.log.error({ err: error }, error.message);
      return reply.code(error.statusCode).send({ error: { code: error.code, message: error.message } });
    }
    if (error.validation) {
      return reply.code(400).send({ error: { code: "INDEXER_ERR_VALIDATION", message: error.message } });
    }
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      return reply
        .code(error.statusCode)
        .send({ error: { code: "INDEXER_ERR_BAD_REQUEST", message: error.message } });
    }
    request.log.error({ err: error }, "request failed");
    return reply.code(500).send({ error: { code: "INDEXER_ERR_INTERNAL", message: "internal error" } });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      error: { code: "INDEXER_ERR_NO_ROUTE", message: `no route ${request.method} ${request.url}` },
    }),
  );
}
