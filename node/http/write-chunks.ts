import { once } from "node:events";
import type { Writable } from "node:stream";

/**
 * Writes `chunks` to `out` with backpressure and hands each one to `written` exactly once: when
 * `out` has passed it on (its write callback), so that its buffer can be reused, or, if the write
 * fails or `signal` stops it, once `out` is destroyed. (An HTTP response whose socket is already
 * gone drops the callbacks of later writes, and a chunk taken from `chunks` after the stop is
 * never written: both would otherwise never come back.)
 */
export async function writeChunks(
  out: Writable,
  chunks: AsyncIterable<Uint8Array>,
  written: (chunk: Uint8Array) => void,
  signal: AbortSignal,
): Promise<void> {
  const inFlight = new Set<Uint8Array>();
  const handBack = (chunk: Uint8Array) => {
    if (inFlight.delete(chunk)) written(chunk);
  };
  try {
    for await (const chunk of chunks) {
      inFlight.add(chunk);
      signal.throwIfAborted();
      if (!out.write(chunk, () => handBack(chunk))) await once(out, "drain", { signal });
    }
  } catch (error) {
    // nothing more goes out: what is still queued can be reused
    out.destroy();
    for (const chunk of [...inFlight]) handBack(chunk);
    throw error;
  }
}
