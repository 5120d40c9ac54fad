import { toHex } from "viem";
import { type ColdLayout, GroupedCommitmentBuilder, primaryPart, StripeCodec } from "#protocol";
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
  /** Opens holder `index`'s stream: its primary parts, or (verified) its whole shard. */
  open(index: number, whole: boolean, signal?: AbortSignal): Promise<AsyncIterable<Uint8Array>>;
  /** With these, every shard read is whole and checked against its commitment. */
  shardRoots?: readonly string[];
  signal?: AbortSignal;
}

/**
 * Streams from `needed` holders at once, read piece by piece in step: the candidates are opened
 * in order, those that cannot be opened skipped; a holder failing mid-way throws
 * {@link HolderFailedError}.
 */
export class HolderPieces {
  readonly #readers: Map<number, PieceReader>;
  readonly #holders: number;

  private constructor(readers: Map<number, PieceReader>, holders: number) {
    this.#readers = readers;
    this.#holders = holders;
  }

  /**
   * Opens the first `needed` of `candidates` that open; throws {@link ShardsUnavailableError}
   * (closing what it opened) when fewer do. `holders` is the blob's holder count.
   */
  static async open(
    blobId: string,
    holders: number,
    candidates: readonly number[],
    needed: number,
    open: (index: number) => Promise<AsyncIterable<Uint8Array>>,
    signal?: AbortSignal,
  ): Promise<HolderPieces> {
    const pieces = new HolderPieces(new Map(), holders);
    let lastError: unknown;
    for (const index of candidates) {
      if (pieces.#readers.size === needed) break;
      try {
        pieces.#readers.set(index, new PieceReader(await open(index)));
      } catch (error) {
        signal?.throwIfAborted();
        lastError = error;
      }
    }
    if (pieces.#readers.size < needed) {
      await pieces.close();
      throw new ShardsUnavailableError(blobId, pieces.#readers.size, needed, { cause: lastError });
    }
    return pieces;
  }

  /** The holders read. */
  get indexes(): number[] {
    return [...this.#readers.keys()];
  }

  /** The next `length(index)` bytes of every holder read, by holder index (undefined for the others). */
  async next(length: (index: number) => number, signal?: AbortSignal): Promise<(Uint8Array | undefined)[]> {
    const pieces: (Uint8Array | undefined)[] = new Array(this.#holders);
    await Promise.all(
      [...this.#readers].map(async ([index, reader]) => {
        try {
          pieces[index] = await reader.read(length(index));
        } catch (error) {
          signal?.throwIfAborted();
          throw new HolderFailedError(index, error);
        }
      }),
    );
    return pieces;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#readers.values()].map((reader) => reader.close().catch(() => undefined)));
  }
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
  const holders = await HolderPieces.open(
    plan.blobId,
    layout.nodes,
    plan.candidates,
    layout.recovery,
    (index) => plan.open(index, verified, signal),
    signal,
  );
  const builders = new Map(
    verified ? holders.indexes.map((index) => [index, new GroupedCommitmentBuilder()] as const) : [],
  );
  try {
    const pieceLength = (index: number) =>
      verified ? layout.shardStripeBytes : primaryPart(layout, index).length;
    let remaining = layout.size;
    for (let t = 0; t < layout.stripes; t += 1) {
      const pieces = await holders.next(pieceLength, signal);
      for (const [index, builder] of builders) await builder.update(pieces[index] as Uint8Array);
      const primaries = verified ? pieces.map((piece, i) => piece && codec.primaryOf(i, piece)) : pieces;
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
    await holders.close();
  }
}
