import { LEAF_PREFIX, LEAF_SIZE, NODE_PREFIX } from "./constants.ts";
import { nativeMerkle } from "./native.ts";
import { sha256 } from "./sha256.ts";

const nodeInput = new Uint8Array(65);
nodeInput[0] = NODE_PREFIX;
const leafInput = new Uint8Array(LEAF_SIZE + 1);
leafInput[0] = LEAF_PREFIX;

/** sha256(0x00 || leaf). */
export function hashLeaf(leaf: Uint8Array): Uint8Array {
  if (leaf.length > LEAF_SIZE) throw new RangeError(`leaf of ${leaf.length} bytes exceeds ${LEAF_SIZE}`);
  leafInput.set(leaf, 1);
  return sha256(leafInput.subarray(0, leaf.length + 1));
}

/** sha256(0x01 || left || right). */
export function hashNode(left: Uint8Array, right: Uint8Array): Uint8Array {
  nodeInput.set(left, 1);
  nodeInput.set(right, 33);
  return sha256(nodeInput);
}

/**
 * Leaf hashes of `data` (a whole number of full leaves, except possibly a short last one),
 * written back to back into `out` (32 bytes each).
 */
export function hashLeaves(
  data: Uint8Array,
  out: Uint8Array = new Uint8Array(Math.ceil(data.length / LEAF_SIZE) * 32),
): Uint8Array {
  if (!nativeMerkle) return hashLeavesJs(data, out);
  nativeMerkle.hashLeaves(data, out);
  return out;
}

/** hashLeaves without the addon. */
export function hashLeavesJs(
  data: Uint8Array,
  out: Uint8Array = new Uint8Array(Math.ceil(data.length / LEAF_SIZE) * 32),
): Uint8Array {
  for (let offset = 0, i = 0; offset < data.length; offset += LEAF_SIZE, i += 32) {
    out.set(hashLeaf(data.subarray(offset, Math.min(offset + LEAF_SIZE, data.length))), i);
  }
  return out;
}

/**
 * One level up: pairs of 32-byte nodes in `level` hashed with hashNode; an odd last node is
 * carried up unchanged.
 */
export function hashLevel(level: Uint8Array): Uint8Array {
  if (!nativeMerkle) return hashLevelJs(level);
  const out = new Uint8Array(Math.ceil(level.length / 64) * 32);
  nativeMerkle.hashLevel(level, out);
  return out;
}

/** hashLevel without the addon. */
export function hashLevelJs(level: Uint8Array): Uint8Array {
  const width = level.length / 32;
  const out = new Uint8Array(Math.ceil(width / 2) * 32);
  let o = 0;
  for (let i = 0; i + 1 < width; i += 2, o += 32) {
    out.set(hashNode(level.subarray(i * 32, i * 32 + 32), level.subarray(i * 32 + 32, i * 32 + 64)), o);
  }
  if (width % 2 === 1) out.set(level.subarray((width - 1) * 32), o);
  return out;
}

/** The commitment root of `data` (at least one byte), in one pass. */
export function treeRoot(data: Uint8Array): Uint8Array {
  if (data.length === 0) throw new RangeError("an empty blob has no commitment");
  const out = new Uint8Array(32);
  if (nativeMerkle) {
    nativeMerkle.treeRoot(data, new Uint8Array(Math.ceil(data.length / LEAF_SIZE) * 32), out);
    return out;
  }
  let level = hashLeavesJs(data);
  while (level.length > 32) level = hashLevelJs(level);
  out.set(level);
  return out;
}
