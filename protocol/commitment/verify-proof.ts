import { leafCount, leafLength } from "./constants.ts";
import { hashLeaf, hashNode } from "./hashing.ts";

/** Bytes the proof of leaf `index` of a blob of `size` bytes occupies. */
export function proofLength(size: number, index: number): number {
  let length = leafLength(size, index);
  for (let width = leafCount(size), position = index; width > 1; width = Math.ceil(width / 2)) {
    if (position % 2 === 1 || position + 1 < width) length += 32;
    position = Math.floor(position / 2);
  }
  return length;
}

/**
 * Recomputes the root from the proof of leaf `index` at `offset` in `proof`, as the contracts'
 * MerkleCommitment.rootAt does; returns it with the offset just past the proof. Throws if the
 * proof is cut short.
 */
export function rootFromProof(
  proof: Uint8Array,
  offset: number,
  size: number,
  index: number,
): { root: Uint8Array; next: number } {
  const end = offset + proofLength(size, index);
  if (end > proof.length)
    throw new RangeError(`proof of leaf ${index} needs ${end} bytes, has ${proof.length}`);
  const length = leafLength(size, index);
  let node = hashLeaf(proof.subarray(offset, offset + length));
  let next = offset + length;
  for (let width = leafCount(size), position = index; width > 1; width = Math.ceil(width / 2)) {
    if (position % 2 === 1) {
      node = hashNode(proof.subarray(next, next + 32), node);
      next += 32;
    } else if (position + 1 < width) {
      node = hashNode(node, proof.subarray(next, next + 32));
      next += 32;
    }
    position = Math.floor(position / 2);
  }
  return { root: node, next };
}

/** Whether `proof` (one leaf's proof, exactly) proves leaf `index` of the blob committed to by `root`. */
export function verifyProof(root: Uint8Array, size: number, index: number, proof: Uint8Array): boolean {
  try {
    const { root: computed, next } = rootFromProof(proof, 0, size, index);
    return next === proof.length && equalBytes(computed, root);
  } catch {
    return false;
  }
}

/** Whether `proof` is the concatenated proofs of `leaves` (in order) against their roots. */
export function verifyProofs(
  proof: Uint8Array,
  leaves: readonly { root: Uint8Array; size: number; index: number }[],
): boolean {
  let offset = 0;
  try {
    for (const leaf of leaves) {
      const { root, next } = rootFromProof(proof, offset, leaf.size, leaf.index);
      if (!equalBytes(root, leaf.root)) return false;
      offset = next;
    }
  } catch {
    return false;
  }
  return offset === proof.length;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}
