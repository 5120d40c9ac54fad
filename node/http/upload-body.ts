import type { FastifyRequest } from "fastify";
import { PayloadTooLargeError } from "../errors.ts";

/**
 * The start of a streamed upload (PUT /store, PUT /shard): refuses a declared length over
 * `maxBytes` before a byte is read, and gives the signal that stops the upload if the client goes
 * away before its body is complete.
 */
export function uploadSignal(request: FastifyRequest, maxBytes: number): AbortSignal {
  const declared = Number(request.headers["content-length"] ?? Number.NaN);
  if (declared > maxBytes) throw new PayloadTooLargeError(maxBytes);
  const controller = new AbortController();
  request.raw.once("close", () => {
    if (!request.raw.complete) controller.abort(new Error("client went away"));
  });
  return controller.signal;
}
