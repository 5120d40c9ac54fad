import { ProtocolError } from "../errors.ts";

/** Most shard holders a cold blob can have (the market's holder masks are 16 bits). */
export const MAX_SHARD_NODES = 16;
/** Symbols are whole multiples of this many bytes. */
export const SYMBOL_ALIGN = 64;
/** A stripe (k x k symbols of the blob) holds at most about this many bytes. */
export const STRIPE_TARGET = 4 * 1024 * 1024;

/**
 * How a cold blob is cut and coded (docs/protocol.md, "Cold tier"). The blob is a sequence of
 * stripes; a stripe is a k x k matrix of symbols (the blob's bytes row by row, the last stripe
 * zero-padded). Every stripe gives each of the n holders a primary sliver (its row of the
 * column-coded n x k matrix) and a secondary sliver (its column of the row-coded k x n matrix),
 * k symbols each; a shard is, stripe after stripe, the holder's primary then secondary sliver.
 */
export interface ColdLayout {
  /** Blob size in bytes. */
  size: number;
  /** Shard holders, n. */
  nodes: number;
  /** Shards needed to rebuild the blob, k = n - faults tolerated. */
  recovery: number;
  /** Bytes per symbol. */
  symbolSize: number;
  /** Number of stripes. */
  stripes: number;
  /** Blob bytes per stripe: k * k * symbolSize. */
  stripeBytes: number;
  /** Sliver bytes per stripe: k * symbolSize. */
  sliverBytes: number;
  /** Shard bytes per stripe: 2 * k * symbolSize. */
  shardStripeBytes: number;
  /** Bytes each holder stores: stripes * 2 * k * symbolSize (the registration's shardSize). */
  shardSize: number;
}

/** The layout of a `size`-byte blob over `nodes` holders, any `recovery` of which rebuild it. */
export function coldLayout(size: number, nodes: number, recovery: number): ColdLayout {
  if (!Number.isSafeInteger(size) || size <= 0)
    throw new ProtocolError(`cold blob size must be positive, got ${size}`);
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > MAX_SHARD_NODES) {
    throw new ProtocolError(`a cold blob has 1 to ${MAX_SHARD_NODES} shard holders, got ${nodes}`);
  }
  if (!Number.isInteger(recovery) || recovery < 1 || recovery > nodes) {
    throw new ProtocolError(`recovery must be between 1 and the ${nodes} holders, got ${recovery}`);
  }
  const k = recovery;
  const cells = k * k;
  const largest = Math.max(SYMBOL_ALIGN, Math.floor(STRIPE_TARGET / cells / SYMBOL_ALIGN) * SYMBOL_ALIGN);
  const needed = Math.ceil(Math.ceil(size / cells) / SYMBOL_ALIGN) * SYMBOL_ALIGN;
  const symbolSize = Math.min(largest, needed);
  const stripeBytes = cells * symbolSize;
  const stripes = Math.ceil(size / stripeBytes);
  const sliverBytes = k * symbolSize;
  return {
    size,
    nodes,
    recovery: k,
    symbolSize,
    stripes,
    stripeBytes,
    sliverBytes,
    shardStripeBytes: 2 * sliverBytes,
    shardSize: stripes * 2 * sliverBytes,
  };
}

/** The layout for `nodes` holders tolerating `faults` lost ones (recovery = nodes - faults). */
export function coldLayoutForFaults(size: number, nodes: number, faults: number): ColdLayout {
  if (!Number.isInteger(faults) || faults < 0 || faults >= nodes) {
    throw new ProtocolError(`faults must be between 0 and ${nodes - 1} for ${nodes} holders, got ${faults}`);
  }
  return coldLayout(size, nodes, nodes - faults);
}
