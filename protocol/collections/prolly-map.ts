import * as dagCbor from "@ipld/dag-cbor";
import { CID } from "multiformats/cid";
import { sha256 } from "multiformats/hashes/sha2";

/** A key-ordered entry: bytes compared lexicographically, and a value any IPLD data (a CID, a string). */
export type MapEntry<V> = [key: Uint8Array, value: V];

/** One node as it is encoded: `{ l: level, e: [[key, value or child], …] }` in DAG-CBOR. */
interface MapNode<V> {
  l: number;
  e: [Uint8Array, V | CID][];
}

/** A block of the map: its CID and bytes. */
export interface MapBlock {
  cid: CID;
  bytes: Uint8Array;
}

/** Reads a block the map needs (from a cache, a pack, the network). */
export type LoadBlock = (cid: CID) => Promise<Uint8Array>;

/**
 * An entry ends its node when the first 32 bits of sha256(level byte ‖ key) are below 2^32 / 32:
 * about 32 entries a node, and a boundary that depends on the key alone.
 */
const BOUNDARY = 2 ** 32 / 32;

async function isBoundary(key: Uint8Array, level: number): Promise<boolean> {
  const input = new Uint8Array(key.length + 1);
  input[0] = level;
  input.set(key, 1);
  const digest = await sha256.encode(input);
  return new DataView(digest.buffer, digest.byteOffset, 4).getUint32(0) < BOUNDARY;
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i += 1) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

async function encode<V>(node: MapNode<V>): Promise<MapBlock> {
  const bytes = dagCbor.encode(node);
  return { cid: CID.createV1(dagCbor.code, await sha256.digest(bytes)), bytes };
}

/**
 * A prolly tree (a probabilistic B-tree, as in Dolt and Noms) built from the whole sorted entry
 * list: node boundaries are chosen by the keys' hashes, so the same set of entries gives the same
 * blocks and root whatever order they were written in, and a change rewrites only the nodes on its
 * path. Returns the root (undefined for an empty map) and every block.
 */
export async function buildMap<V>(
  entries: MapEntry<V>[],
): Promise<{ root: CID | undefined; blocks: MapBlock[] }> {
  const blocks: MapBlock[] = [];
  if (entries.length === 0) return { root: undefined, blocks };
  let level = 0;
  let current: [Uint8Array, V | CID][] = entries;
  for (;;) {
    const parents: [Uint8Array, CID][] = [];
    let chunk: [Uint8Array, V | CID][] = [];
    for (const [i, entry] of current.entries()) {
      chunk.push(entry);
      if ((await isBoundary(entry[0], level)) || i === current.length - 1) {
        const block = await encode({ l: level, e: chunk });
        blocks.push(block);
        const [firstKey] = chunk[0] as [Uint8Array, V | CID];
        parents.push([firstKey, block.cid]);
        chunk = [];
      }
    }
    const [only] = parents;
    if (only && parents.length === 1) return { root: only[1], blocks };
    current = parents;
    level += 1;
  }
}

function decode<V>(bytes: Uint8Array): MapNode<V> {
  return dagCbor.decode(bytes) as MapNode<V>;
}

/** The value under `key`, or undefined. */
export async function getEntry<V>(
  root: CID | undefined,
  key: Uint8Array,
  load: LoadBlock,
): Promise<V | undefined> {
  if (!root) return undefined;
  let node = decode<V>(await load(root));
  for (;;) {
    if (node.l === 0) {
      const found = node.e.find(([k]) => compareBytes(k, key) === 0);
      return found ? (found[1] as V) : undefined;
    }
    // the last child whose first key is <= key
    let child: CID | undefined;
    for (const [k, c] of node.e) {
      if (compareBytes(k, key) > 0) break;
      child = c as CID;
    }
    if (!child) return undefined;
    node = decode<V>(await load(child));
  }
}

/** Entries with `start <= key < end` (either bound optional), in key order. */
export async function* rangeEntries<V>(
  root: CID | undefined,
  bounds: { start?: Uint8Array | undefined; end?: Uint8Array | undefined },
  load: LoadBlock,
): AsyncGenerator<MapEntry<V>> {
  if (!root) return;
  yield* walk<V>(decode<V>(await load(root)), bounds, load);
}

async function* walk<V>(
  node: MapNode<V>,
  { start, end }: { start?: Uint8Array | undefined; end?: Uint8Array | undefined },
  load: LoadBlock,
): AsyncGenerator<MapEntry<V>> {
  if (node.l === 0) {
    for (const [k, v] of node.e) {
      if (start && compareBytes(k, start) < 0) continue;
      if (end && compareBytes(k, end) >= 0) return;
      yield [k, v as V];
    }
    return;
  }
  for (const [i, [k, child]] of node.e.entries()) {
    // children wholly below start are skipped: the next child's first key is still <= start
    const next = node.e[i + 1];
    if (start && next && compareBytes(next[0], start) <= 0) continue;
    if (end && compareBytes(k, end) >= 0) return;
    yield* walk<V>(decode<V>(await load(child as CID)), { start, end }, load);
  }
}

/** Every block of the map under `root` (to copy or verify it whole). */
export async function* mapBlocks(root: CID | undefined, load: LoadBlock): AsyncGenerator<MapBlock> {
  if (!root) return;
  const bytes = await load(root);
  yield { cid: root, bytes };
  const node = decode<unknown>(bytes);
  if (node.l === 0) return;
  for (const [, child] of node.e) yield* mapBlocks(child as CID, load);
}
