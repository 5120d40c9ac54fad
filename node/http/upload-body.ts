import type { Readable } from "node:stream";
import type { FastifyRequest } from "fastify";
import { type NodeConfig, nodeConfigDefaults } from "../config.ts";
import { PayloadTooLargeError, UploadStalledError } from "../errors.ts";

export interface UploadBody {
  /** The body's chunks; fails with UploadStalledError when none arrives for the idle time. */
  body: AsyncIterable<Uint8Array>;
  /** Stops the upload: the body stalled, or the client went away before it was complete. */
  signal: AbortSignal;
}

/** How long an upload's body may stop arriving before the upload is dropped. */
export function uploadIdleMs(config: Pick<NodeConfig, "http">): number {
  return config.http.uploadIdleMs ?? nodeConfigDefaults.http.uploadIdleMs;
}

/**
 * The start of a streamed upload (PUT /store, PUT /shard): refuses a declared length over
 * `maxBytes` before a byte is read, and gives the body with an idle limit (no byte for `idleMs`
 * while the upload waits for one, and it fails) and the signal that stops the upload when it
 * stalls or the client goes away. A stalled body is not destroyed: the refusal can still be
 * answered, on a connection closed after it.
 */
export function uploadBody(
  request: FastifyRequest,
  options: { maxBytes: number; idleMs: number },
): UploadBody {
  const declared = Number(request.headers["content-length"] ?? Number.NaN);
  if (declared > options.maxBytes) throw new PayloadTooLargeError(options.maxBytes);
  const controller = new AbortController();
  request.raw.once("close", () => {
    if (!request.raw.complete) controller.abort(new Error("client went away"));
  });
  return { body: idleLimited(request.raw, options.idleMs, controller), signal: controller.signal };
}

/**
 * The chunks of `stream`, failing (and aborting `controller`) when one is awaited for `idleMs`.
 * Only the wait for the client counts: time the consumer spends between chunks does not.
 */
export async function* idleLimited(
  stream: Readable,
  idleMs: number,
  controller: AbortController,
): AsyncGenerator<Uint8Array> {
  // stopping early (a refused upload) leaves the request alone, so that it can be answered
  const chunks = stream.iterator({ destroyOnReturn: false }) as AsyncIterator<Uint8Array>;
  for (;;) {
    const next = chunks.next();
    // once the upload has given up, a later failure of the stream is nobody's concern
    next.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const stalled = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new UploadStalledError(idleMs);
        controller.abort(error);
        reject(error);
      }, idleMs);
    });
    let result: IteratorResult<Uint8Array>;
    try {
      result = await Promise.race([next, stalled]);
    } finally {
      clearTimeout(timer);
    }
    if (result.done) return;
    yield result.value;
  }
}
