/** Bytes per leaf of the blob commitment (docs/protocol.md, "Commitment"). */
export const LEAF_SIZE = 256;
/** Domain prefix of a leaf hash: sha256(0x00 || leaf). */
export const LEAF_PREFIX = 0x00;
/** Domain prefix of an inner node: sha256(0x01 || left || right). */
export const NODE_PREFIX = 0x01;

/** Number of leaves of a blob of `size` bytes (size > 0). */
export function leafCount(size: number): number {
  if (!Number.isSafeInteger(size) || size <= 0)
    throw new RangeError(`blob size must be a positive integer: ${size}`);
  return Math.ceil(size / LEAF_SIZE);
}

/** Length in bytes of leaf `index` of a blob of `size` bytes. */
export function leafLength(size: number, index: number): number {
  const count = leafCount(size);
  if (!Number.isSafeInteger(index) || index < 0 || index >= count) {
    throw new RangeError(`leaf ${index} out of range for ${count} leaves`);
  }
  return index === count - 1 ? size - index * LEAF_SIZE : LEAF_SIZE;
}
