import { toHex } from "viem";
import { type ColdLayout, GroupedCommitmentBuilder, StripeCodec } from "#protocol";
import { ShardsUnavailableError } from "../errors.ts";
import { PieceReader } from "./peer-parts.ts";

/** A holder whose stream failed or whose shard did not match its commitment. */
export class HolderFailedError extends Error {
  override name = "HolderFailedError";
  readonly holder: number;
  constructor(holder: number, cause: unknown) {
    super(`shard holder ${holder} failed: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.holder = holder;
  }
}

export interface RebuildPlan {
  blobId: string;
  layout: ColdLayout;
  /** Holder indexes that may be asked, in order of preference. */
  candidates: number[];
  /** Opens holder `index`'s stream: its primary slivers, or (verified) its whole shard. */
  open(index: number, whole: boolean, signal?: AbortSignal): Promise<AsyncIterable<Uint8Array>>;
  /** With these, every shard read is whole and checked against its commitment. */
  shardRoots?: readonly string[];
  signal?: AbortSignal;
}

/**
 * Rebuilds a cold blob stripe by stripe from k holders read in parallel, yielding its bytes (a
 * fresh buffer per stripe). Holders that cannot be opened are skipped for the next candidates; a
 * holder failing mid-way throws {@link HolderFailedError}, as does, at the end, a shard whose bytes
 * do not match its commitment (verified plans only).
 */
export async function* rebuildStripes(plan: RebuildPlan): AsyncGenerator<Uint8Array> {
  const { layout, signal } = plan;
  const codec = new StripeCodec(layout);
  const verified = plan.shardRoots !== undefined;
  const readers = new Map<number, PieceReader>();
  const builders = new Map<number, GroupedCommitmentBuilder>();
  let lastError: unknown;
  try {
    for (const index of plan.candidates) {
      if (readers.size === layout.recovery) break;
      try {
        readers.set(index, new PieceReader(await plan.open(index, verified, signal)));
        if (verified) builders.set(index, new GroupedCommitmentBuilder());
      } catch (error) {
        signal?.throwIfAborted();
        lastError = error;
      }
    }
    if (readers.size < layout.recovery) {
      throw new ShardsUnavailableError(plan.blobId, readers.size, layout.recovery, { cause: lastError });
    }
    const pieceLength = verified ? layout.shardStripeBytes : layout.sliverBytes;
    let remaining = layout.size;
    for (let t = 0; t < layout.stripes; t += 1) {
      const primaries: (Uint8Array | undefined)[] = new Array(layout.nodes);
      await Promise.all(
        [...readers].map(async ([index, reader]) => {
          let piece: Uint8Array;
          try {
            piece = await reader.read(pieceLength);
            await builders.get(index)?.update(piece);
          } catch (error) {
            signal?.throwIfAborted();
            throw new HolderFailedError(index, error);
          }
          primaries[index] = piece.subarray(0, layout.sliverBytes);
        }),
      );
      const stripe = new Uint8Array(layout.stripeBytes);
      codec.decode(primaries, stripe);
      const take = Math.min(remaining, layout.stripeBytes);
      remaining -= take;
      yield stripe.subarray(0, take);
    }
    for (const [index, builder] of builders) {
      const root = toHex((await builder.digest()).root);
      if (root !== plan.shardRoots?.[index]) {
        throw new HolderFailedError(index, new Error(`its shard's commitment is ${root}`));
      }
    }
  } finally {
    await Promise.all([...readers.values()].map((reader) => reader.close().catch(() => undefined)));
  }
}
