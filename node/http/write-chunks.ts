import { once } from "node:events";
import type { Writable } from "node:stream";

/**
 * Writes `chunks` to `out` with backpressure and hands each one to `written` once `out` has
 * passed it on (its write callback), so that its buffer can be reused. Stops at `signal`.
 */
export async function writeChunks(
  out: Writable,
  chunks: AsyncIterable<Uint8Array>,
  written: (chunk: Uint8Array) => void,
  signal: AbortSignal,
): Promise<void> {
  for await (const chunk of chunks) {
    signal.throwIfAborted();
    if (!out.write(chunk, () => written(chunk))) await once(out, "drain", { signal });
  }
}
