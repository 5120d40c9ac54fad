import { LEAF_SIZE, leafCount, leafLength } from "./constants.ts";
import { hashLevel, treeRoot } from "./hashing.ts";
import { concat, MerkleTree, siblingsOf } from "./merkle-tree.ts";
import { nativeMerkle } from "./native.ts";

/** Leaves per group: 2^12 leaves, 1 MiB of blob, one complete subtree of the commitment. */
export const GROUP_LEVEL = 12;
export const GROUP_LEAVES = 1 << GROUP_LEVEL;
export const GROUP_BYTES = GROUP_LEAVES * LEAF_SIZE;

/**
 * The commitment of a blob as the roots of its 1 MiB groups (the tree's level 12; the last group
 * may be partial). The blob root follows from them, and with one group's bytes they give the
 * proof of any leaf in it: what a node keeps beside a blob costs 32 bytes per MiB.
 */
export interface GroupedCommitment {
  root: Uint8Array;
  size: number;
  /** Level-12 nodes, 32 bytes each, in blob order. */
  groupRoots: Uint8Array;
}

/** The levels of the tree above the groups, bottom-up (the groups' roots first). */
function upperLevels(groupRoots: Uint8Array): Uint8Array[] {
  const levels = [groupRoots];
  for (let level = groupRoots; level.length > 32; ) {
    level = hashLevel(level);
    levels.push(level);
  }
  return levels;
}

/** The blob root from its groups' roots. */
export function rootOfGroups(groupRoots: Uint8Array): Uint8Array {
  const levels = upperLevels(groupRoots);
  return (levels[levels.length - 1] as Uint8Array).slice(0, 32);
}

/**
 * The proof of leaf `index` (docs/protocol.md) from the groups' roots and the bytes of the group
 * holding the leaf (`groupBytes`: bytes [g·1 MiB, min((g+1)·1 MiB, size)) for g = index >> 12).
 */
export function proofFromGroup(
  commitment: GroupedCommitment,
  index: number,
  groupBytes: Uint8Array,
): Uint8Array {
  const { size, groupRoots } = commitment;
  const group = index >> GROUP_LEVEL;
  const expected = Math.min(GROUP_BYTES, size - group * GROUP_BYTES);
  if (groupBytes.length !== expected) {
    throw new RangeError(`group ${group} has ${expected} bytes, got ${groupBytes.length}`);
  }
  leafLength(size, index);
  const inner = MerkleTree.of(groupBytes);
  const local = index & (GROUP_LEAVES - 1);
  const leaf = groupBytes.subarray(local * LEAF_SIZE, local * LEAF_SIZE + leafLength(size, index));
  return concat([leaf, ...siblingsOf(inner.levels, local), ...siblingsOf(upperLevels(groupRoots), group)]);
}

/**
 * Streams a blob into its grouped commitment in bounded memory. Every full group is hashed on a
 * pool thread (the native addon) while the caller keeps streaming, at most `parallel` at a time.
 */
export class GroupedCommitmentBuilder {
  readonly #parallel: number;
  #pending = new Uint8Array(GROUP_BYTES);
  #pendingLength = 0;
  #inFlight: Promise<Uint8Array>[] = [];
  #roots: Uint8Array[] = [];
  #size = 0;

  constructor(options: { parallel?: number } = {}) {
    this.#parallel = options.parallel ?? 3;
  }

  get size(): number {
    return this.#size;
  }

  /** Feeds the next bytes; resolves once the builder may take more. */
  async update(chunk: Uint8Array): Promise<void> {
    this.#size += chunk.length;
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(chunk.length - offset, GROUP_BYTES - this.#pendingLength);
      this.#pending.set(chunk.subarray(offset, offset + take), this.#pendingLength);
      this.#pendingLength += take;
      offset += take;
      if (this.#pendingLength === GROUP_BYTES) {
        this.#inFlight.push(hashGroup(this.#pending));
        this.#pending = new Uint8Array(GROUP_BYTES);
        this.#pendingLength = 0;
        if (this.#inFlight.length >= this.#parallel)
          this.#roots.push(await (this.#inFlight.shift() as Promise<Uint8Array>));
      }
    }
  }

  /** The commitment of everything fed (at least one byte). */
  async digest(): Promise<GroupedCommitment> {
    if (this.#size === 0) throw new RangeError("a commitment needs at least one byte");
    for (const root of await Promise.all(this.#inFlight)) this.#roots.push(root);
    this.#inFlight = [];
    if (this.#pendingLength > 0) this.#roots.push(treeRoot(this.#pending.subarray(0, this.#pendingLength)));
    this.#pendingLength = 0;
    const groupRoots = concat(this.#roots);
    leafCount(this.#size);
    return { root: rootOfGroups(groupRoots), size: this.#size, groupRoots };
  }
}

/** The root of one group's bytes, hashed on a pool thread when the addon is built. */
export function hashGroup(data: Uint8Array): Promise<Uint8Array> {
  return nativeMerkle ? nativeMerkle.treeRootAsync(data) : Promise.resolve(treeRoot(data));
}
