import { ProtocolError } from "../errors.ts";
import { StripeCodec } from "./codec.ts";
import type { ColdLayout } from "./cold-layout.ts";

/**
 * Cuts the blob `source` yields into the layout's stripes, the last one zero-padded. The yielded
 * buffer is reused: it is valid until the next one is pulled. Throws when the source is not
 * exactly `layout.size` bytes.
 */
export async function* stripesOf(
  source: AsyncIterable<Uint8Array>,
  layout: ColdLayout,
  signal?: AbortSignal,
): AsyncGenerator<Uint8Array> {
  const stripe = new Uint8Array(layout.stripeBytes);
  let filled = 0;
  let total = 0;
  for await (const chunk of source) {
    signal?.throwIfAborted();
    total += chunk.length;
    if (total > layout.size) throw new ProtocolError(`the blob is longer than its ${layout.size} bytes`);
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(chunk.length - offset, stripe.length - filled);
      stripe.set(chunk.subarray(offset, offset + take), filled);
      filled += take;
      offset += take;
      if (filled === stripe.length) {
        yield stripe;
        filled = 0;
      }
    }
  }
  if (total !== layout.size) throw new ProtocolError(`the blob has ${total} bytes, not ${layout.size}`);
  if (filled > 0) {
    stripe.fill(0, filled);
    yield stripe;
  }
}

/**
 * Encodes the blob `source` yields, stripe by stripe: each step yields every holder's part of
 * the stripe (`layout.shardStripeBytes` each, holder order). The parts are reused: they are
 * valid until the next step is pulled.
 */
export async function* encodeShards(
  source: AsyncIterable<Uint8Array>,
  layout: ColdLayout,
  signal?: AbortSignal,
): AsyncGenerator<Uint8Array[]> {
  const codec = new StripeCodec(layout);
  const parts = Array.from({ length: layout.nodes }, () => new Uint8Array(layout.shardStripeBytes));
  for await (const stripe of stripesOf(source, layout, signal)) {
    codec.encode(stripe, parts);
    yield parts;
  }
}

/** Every holder's whole shard of `data` (for small blobs, tests and vectors: all in memory). */
export async function encodeWhole(data: Uint8Array, layout: ColdLayout): Promise<Uint8Array[]> {
  const shards = Array.from({ length: layout.nodes }, () => new Uint8Array(layout.shardSize));
  let stripe = 0;
  async function* once() {
    yield data;
  }
  for await (const parts of encodeShards(once(), layout)) {
    for (const [i, part] of parts.entries()) shards[i]?.set(part, stripe * layout.shardStripeBytes);
    stripe += 1;
  }
  return shards;
}
