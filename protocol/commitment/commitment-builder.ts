import { LEAF_SIZE } from "./constants.ts";
import { hashLeaves, hashNode, treeRoot } from "./hashing.ts";

/** Leaves per batch: 2^12 leaves (1 MiB), folded into one complete subtree at a time. */
const BATCH_LEVEL = 12;
const BATCH_BYTES = (1 << BATCH_LEVEL) * LEAF_SIZE;

/**
 * Builds a blob's commitment root from a stream of bytes in constant memory (about 1 MiB):
 * every full 1 MiB batch becomes the root of a complete subtree, and subtree roots fold into a
 * stack of at most one node per level, exactly as the tree of docs/protocol.md combines them.
 */
export class CommitmentBuilder {
  #pending = new Uint8Array(BATCH_BYTES);
  #pendingLength = 0;
  #stack: (Uint8Array | undefined)[] = [];
  #size = 0;

  /** Bytes consumed so far. */
  get size(): number {
    return this.#size;
  }

  /** Feeds the next bytes of the blob. */
  update(chunk: Uint8Array): this {
    this.#size += chunk.length;
    let offset = 0;
    if (this.#pendingLength > 0) {
      const take = Math.min(chunk.length, BATCH_BYTES - this.#pendingLength);
      this.#pending.set(chunk.subarray(0, take), this.#pendingLength);
      this.#pendingLength += take;
      offset = take;
      if (this.#pendingLength < BATCH_BYTES) return this;
      push(this.#stack, treeRoot(this.#pending), BATCH_LEVEL);
      this.#pendingLength = 0;
    }
    for (; chunk.length - offset >= BATCH_BYTES; offset += BATCH_BYTES) {
      push(this.#stack, treeRoot(chunk.subarray(offset, offset + BATCH_BYTES)), BATCH_LEVEL);
    }
    this.#pending.set(chunk.subarray(offset), 0);
    this.#pendingLength = chunk.length - offset;
    return this;
  }

  /** The root of everything fed so far (at least one byte). The builder can keep going after. */
  digest(): Uint8Array {
    if (this.#size === 0) throw new RangeError("a commitment needs at least one byte");
    const stack = [...this.#stack];
    if (this.#pendingLength > 0) {
      const leaves = hashLeaves(this.#pending.subarray(0, this.#pendingLength));
      for (let i = 0; i < leaves.length; i += 32) push(stack, leaves.slice(i, i + 32), 0);
    }
    let root: Uint8Array | undefined;
    for (const node of stack) {
      if (node !== undefined) root = root === undefined ? node : hashNode(node, root);
    }
    return root as Uint8Array;
  }
}

/** Adds the root of a complete subtree of height `level`, merging equal-height neighbours. */
function push(stack: (Uint8Array | undefined)[], subtree: Uint8Array, level: number): void {
  let node = subtree;
  let height = level;
  for (let below = stack[height]; below !== undefined; below = stack[height]) {
    node = hashNode(below, node);
    stack[height] = undefined;
    height += 1;
  }
  stack[height] = node;
}

/** The commitment root of `data`. */
export function commitmentOf(data: Uint8Array): Uint8Array {
  return treeRoot(data);
}

/** The commitment root of everything `source` yields. */
export async function commitmentOfStream(
  source: AsyncIterable<Uint8Array>,
  options: { signal?: AbortSignal } = {},
): Promise<{ root: Uint8Array; size: number }> {
  const builder = new CommitmentBuilder();
  for await (const chunk of source) {
    options.signal?.throwIfAborted();
    builder.update(chunk);
  }
  return { root: builder.digest(), size: builder.size };
}
