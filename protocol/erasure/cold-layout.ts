import { ProtocolError } from "../errors.ts";

/** Most shard holders a cold blob can have (the market's holder masks are 16 bits). */
export const MAX_SHARD_NODES = 16;
/** Symbols are whole multiples of this many bytes. */
export const SYMBOL_ALIGN = 64;
/** A stripe (k (k + 1) / 2 symbols of the blob) holds at most about this many bytes. */
export const STRIPE_TARGET = 4 * 1024 * 1024;

/**
 * How a cold blob is cut and coded (docs/protocol.md, "Cold tier"). The blob is a sequence of
 * stripes; a stripe is the upper triangle, diagonal included, of a symmetric k x k matrix X of
 * symbols (the blob's bytes row by row: row r holds columns r..k-1; the last stripe
 * zero-padded). Every stripe gives each of the n holders its row of G X, k symbols: its primary
 * sliver, and, X being symmetric, its secondary sliver (its column of X G^T) too. A shard is,
 * stripe after stripe, the holder's sliver.
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
  /** Blob bytes per stripe: k (k + 1) / 2 * symbolSize. */
  stripeBytes: number;
  /** Shard bytes per stripe, one sliver: k * symbolSize. */
  shardStripeBytes: number;
  /** Bytes each holder stores: stripes * k * symbolSize (the registration's shardSize). */
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
  const cells = (k * (k + 1)) / 2;
  const largest = Math.max(SYMBOL_ALIGN, Math.floor(STRIPE_TARGET / cells / SYMBOL_ALIGN) * SYMBOL_ALIGN);
  // as few stripes as the size allows, then the smallest symbol that fits: the padding stays
  // under 64 bytes per symbol, whatever the size
  const stripes = Math.ceil(size / (cells * largest));
  const symbolSize = Math.ceil(Math.ceil(size / stripes / cells) / SYMBOL_ALIGN) * SYMBOL_ALIGN;
  const stripeBytes = cells * symbolSize;
  const shardStripeBytes = k * symbolSize;
  return {
    size,
    nodes,
    recovery: k,
    symbolSize,
    stripes,
    stripeBytes,
    shardStripeBytes,
    shardSize: stripes * shardStripeBytes,
  };
}

/**
 * Where, in holder `holder`'s sliver of a stripe, the part a plain read takes lies: a
 * systematic holder (i < k) gives the blob's row i, columns i..k-1 (the rest of its sliver
 * repeats other rows); a parity holder gives its whole sliver.
 */
export function primaryPart(layout: ColdLayout, holder: number): { from: number; length: number } {
  const { recovery: k, symbolSize: s } = layout;
  return holder < k ? { from: holder * s, length: (k - holder) * s } : { from: 0, length: k * s };
}

/** Byte offset, in a stripe, of the blob's row `row` (columns row..k-1 of the triangle). */
export function triangleRowOffset(layout: ColdLayout, row: number): number {
  const k = layout.recovery;
  return (row * k - (row * (row - 1)) / 2) * layout.symbolSize;
}

/** The layout for `nodes` holders tolerating `faults` lost ones (recovery = nodes - faults). */
export function coldLayoutForFaults(size: number, nodes: number, faults: number): ColdLayout {
  if (!Number.isInteger(faults) || faults < 0 || faults >= nodes) {
    throw new ProtocolError(`faults must be between 0 and ${nodes - 1} for ${nodes} holders, got ${faults}`);
  }
  return coldLayout(size, nodes, nodes - faults);
}
