import type { FastifyError, FastifyInstance, FastifyReply } from "fastify";
import { CodedError } from "./coded-error.ts";

export interface ErrorHandlerOptions {
  /** What starts the codes of errors that carry none: `NODE` gives NODE_ERR_VALIDATION, NODE_ERR_INTERNAL... */
  prefix: string;
  /** Gives an error its service's code first (a contract revert the node's, say). */
  translate?: (error: unknown) => CodedError | undefined;
  /** Adds what a coded error's reply needs besides its body (a 416's Content-Range, say). */
  decorate?: (error: CodedError, reply: FastifyReply) => void;
}

/**
 * One error handler: coded errors keep their code and status (5xx logged as errors, the rest as
 * info), schema failures are 400s, bodies too large 413s, other client errors 400-499 keep their
 * status, the rest are 500s that say no more than "internal error". Unknown routes are 404s.
 */
export function installErrorHandler(app: FastifyInstance, options: ErrorHandlerOptions): void {
  const { prefix } = options;
  const send = (reply: FastifyReply, status: number, code: string, message: string) =>
    reply.code(status).send({ error: { code, message } });
  app.setErrorHandler((thrown: FastifyError, request, reply) => {
    const error = (options.translate?.(thrown) ?? thrown) as FastifyError | CodedError;
    // refused before the whole body was read (an upload stopped early): the connection cannot be
    // reused, so say so and close it once the reply is out
    if (!request.raw.complete) reply.header("connection", "close");
    if (error instanceof CodedError) {
      options.decorate?.(error, reply);
      if (error.statusCode >= 500) request.log.error({ err: error }, error.message);
      else request.log.info({ code: error.code, status: error.statusCode }, error.message);
      return send(reply, error.statusCode, error.code, error.message);
    }
    if (error.validation) return send(reply, 400, `${prefix}_ERR_VALIDATION`, error.message);
    if (error.statusCode === 413 || error.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
      return send(reply, 413, `${prefix}_ERR_TOO_LARGE`, error.message);
    }
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      return send(reply, error.statusCode, `${prefix}_ERR_BAD_REQUEST`, error.message);
    }
    request.log.error({ err: error }, "request failed");
    return send(reply, 500, `${prefix}_ERR_INTERNAL`, "internal error");
  });
  app.setNotFoundHandler((request, reply) =>
    send(reply, 404, `${prefix}_ERR_NO_ROUTE`, `no route ${request.method} ${request.url}`),
  );
}
