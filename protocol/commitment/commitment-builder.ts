import { LEAF_SIZE } from "./constants.ts";
import { hashLeaves, hashNode } from "./hashing.ts";

/** Leaves hashed per batch while streaming (64 KiB of data). */
const BATCH_LEAVES = 256;

/**
 * Builds a blob's commitment root from a stream of bytes in constant memory: full subtrees are
 * folded into a stack of at most one root per level as leaves arrive (docs/protocol.md).
 */
export class CommitmentBuilder {
  #pending = new Uint8Array(BATCH_LEAVES * LEAF_SIZE);
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
      const take = Math.min(chunk.length, this.#pending.length - this.#pendingLength);
      this.#pending.set(chunk.subarray(0, take), this.#pendingLength);
      this.#pendingLength += take;
      offset = take;
      if (this.#pendingLength < this.#pending.length) return this;
      this.#pushLeaves(this.#pending);
      this.#pendingLength = 0;
    }
    const whole = Math.floor((chunk.length - offset) / this.#pending.length) * this.#pending.length;
    if (whole > 0) {
      this.#pushLeaves(chunk.subarray(offset, offset + whole));
      offset += whole;
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
      for (let i = 0; i < leaves.length; i += 32) push(stack, leaves.subarray(i, i + 32));
    }
    let root: Uint8Array | undefined;
    for (const node of stack) {
      if (node !== undefined) root = root === undefined ? node : hashNode(node, root);
    }
    return root as Uint8Array;
  }

  #pushLeaves(data: Uint8Array): void {
    const leaves = hashLeaves(data);
    for (let i = 0; i < leaves.length; i += 32) push(this.#stack, leaves.slice(i, i + 32));
  }
}

function push(stack: (Uint8Array | undefined)[], leaf: Uint8Array): void {
  let node = leaf;
  let level = 0;
  for (let below = stack[level]; below !== undefined; below = stack[level]) {
    node = hashNode(below, node);
    stack[level] = undefined;
    level += 1;
  }
  stack[level] = node;
}

/** The commitment root of `data`. */
export function commitmentOf(data: Uint8Array): Uint8Array {
  return new CommitmentBuilder().update(data).digest();
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
