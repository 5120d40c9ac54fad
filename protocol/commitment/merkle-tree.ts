import { LEAF_SIZE, leafCount, leafLength } from "./constants.ts";
import { hashLeaves, hashLevel } from "./hashing.ts";

/**
 * A whole commitment tree in memory (every level), for building proofs of any leaf. Costs
 * about a quarter of the blob's size; nodes keep big blobs' trees on disk instead.
 */
export class MerkleTree {
  readonly size: number;
  readonly levels: readonly Uint8Array[];
  readonly #data: Uint8Array;

  private constructor(data: Uint8Array, levels: Uint8Array[]) {
    this.size = data.length;
    this.levels = levels;
    this.#data = data;
  }

  /** The tree of `data` (at least one byte). */
  static of(data: Uint8Array): MerkleTree {
    leafCount(data.length);
    const levels = [hashLeaves(data)];
    for (let level = levels[0] as Uint8Array; level.length > 32; ) {
      level = hashLevel(level);
      levels.push(level);
    }
    return new MerkleTree(data, levels);
  }

  /** The root. */
  get root(): Uint8Array {
    return (this.levels[this.levels.length - 1] as Uint8Array).subarray(0, 32);
  }

  /** Leaf `index`'s proof: the leaf bytes, then its siblings bottom-up (levels where it has one). */
  proof(index: number): Uint8Array {
    const length = leafLength(this.size, index);
    const siblings = siblingsOf(this.levels, index);
    const out = new Uint8Array(length + siblings.length * 32);
    out.set(this.#data.subarray(index * LEAF_SIZE, index * LEAF_SIZE + length), 0);
    siblings.forEach((sibling, i) => {
      out.set(sibling, length + i * 32);
    });
    return out;
  }

  /** The proofs of several leaves, concatenated in the given order (the on-chain format). */
  proofs(indices: readonly number[]): Uint8Array {
    return concat(indices.map((index) => this.proof(index)));
  }
}

/** The sibling hashes of leaf `index`, bottom-up, given every level of the tree. */
export function siblingsOf(levels: readonly Uint8Array[], index: number): Uint8Array[] {
  const siblings: Uint8Array[] = [];
  let position = index;
  for (let l = 0; l < levels.length - 1; l += 1) {
    const level = levels[l] as Uint8Array;
    const width = level.length / 32;
    const sibling = position % 2 === 1 ? position - 1 : position + 1;
    if (sibling < width) siblings.push(level.subarray(sibling * 32, sibling * 32 + 32));
    position = Math.floor(position / 2);
  }
  return siblings;
}

/** `parts` back to back. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
