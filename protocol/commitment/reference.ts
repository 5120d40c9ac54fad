import { createHash } from "node:crypto";
import { LEAF_SIZE } from "./constants.ts";

/**
 * The commitment exactly as docs/protocol.md words it, written for clarity and nothing else:
 * every level kept as a list, every hash through its own createHash. Tests and the vector
 * generator hold the fast paths to it.
 */
export function referenceTree(data: Uint8Array): Uint8Array[][] {
  if (data.length === 0) throw new RangeError("a commitment needs at least one byte");
  const sha256 = (...parts: Uint8Array[]) => {
    const h = createHash("sha256");
    for (const part of parts) h.update(part);
    return new Uint8Array(h.digest());
  };
  let level: Uint8Array[] = [];
  for (let offset = 0; offset < data.length; offset += LEAF_SIZE) {
    level.push(sha256(Uint8Array.of(0x00), data.subarray(offset, offset + LEAF_SIZE)));
  }
  const levels = [level];
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const left = level[i] as Uint8Array;
      const right = level[i + 1];
      next.push(right === undefined ? left : sha256(Uint8Array.of(0x01), left, right));
    }
    levels.push(next);
    level = next;
  }
  return levels;
}

/** The proof of leaf `index` built from the reference tree: leaf bytes, then siblings bottom-up. */
export function referenceProof(data: Uint8Array, index: number): Uint8Array {
  const levels = referenceTree(data);
  const parts: Uint8Array[] = [data.subarray(index * LEAF_SIZE, (index + 1) * LEAF_SIZE)];
  let position = index;
  for (const level of levels.slice(0, -1)) {
    const sibling = level[position % 2 === 1 ? position - 1 : position + 1];
    if (sibling !== undefined) parts.push(sibling);
    position = Math.floor(position / 2);
  }
  return Uint8Array.from(parts.flatMap((part) => [...part]));
}
