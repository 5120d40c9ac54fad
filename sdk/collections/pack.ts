import { CarBlockIterator } from "@ipld/car/iterator";
import { CarWriter } from "@ipld/car/writer";
import type { CID } from "multiformats/cid";
import { sha256 } from "multiformats/hashes/sha2";
import { DatabaseCorruptError } from "./collection-errors.ts";

/** A block: its CID and bytes. */
export interface Block {
  cid: CID;
  bytes: Uint8Array;
}

/**
 * A pack: the blocks of one commit as a CARv1 whose root is the commit's master metadata, stored
 * in Strata as one blob. The master comes first, then the rest in the order given.
 */
export async function writePack(root: Block, blocks: Iterable<Block>): Promise<Uint8Array> {
  const { writer, out } = CarWriter.create([root.cid]);
  const parts: Uint8Array[] = [];
  const collecting = (async () => {
    for await (const part of out) parts.push(part);
  })();
  await writer.put(root);
  for (const block of blocks) await writer.put(block);
  await writer.close();
  await collecting;
  return Buffer.concat(parts);
}

/**
 * The root and blocks of a pack, every block checked against its CID (SHA-256 only): a pack that
 * lies is refused whole.
 */
export async function readPack(bytes: Uint8Array): Promise<{ root: CID; blocks: Block[] }> {
  let iterator: CarBlockIterator;
  try {
    iterator = await CarBlockIterator.fromBytes(bytes);
  } catch (cause) {
    throw new DatabaseCorruptError("a pack is not a CAR", { cause });
  }
  const [root] = await iterator.getRoots();
  if (!root) throw new DatabaseCorruptError("a pack has no root");
  const blocks: Block[] = [];
  for await (const { cid, bytes: data } of iterator) {
    if (cid.multihash.code !== sha256.code)
      throw new DatabaseCorruptError(`block ${cid} is not SHA-256 addressed`);
    const digest = await sha256.digest(data);
    if (!equal(digest.digest, cid.multihash.digest))
      throw new DatabaseCorruptError(`block ${cid} does not match its CID`);
    blocks.push({ cid, bytes: data });
  }
  return { root, blocks };
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
