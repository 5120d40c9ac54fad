import type { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import type { NodeStores } from "../storage/open-stores.ts";
import { leafSkippingWalker } from "./leaf-skipping-walker.ts";

/**
 * The drop-data fault: deletes the first `fraction` of a blob's leaf blocks (for demonstrations
 * only). Resolves with how many were dropped, of how many.
 */
export async function dropLeaves(
  blockstore: NodeStores["blockstore"],
  root: CID,
  fraction: number,
  options: { signal?: AbortSignal } = {},
): Promise<{ dropped: number; of: number }> {
  const leaves: CID[] = [];
  const walker = leafSkippingWalker()({
    blockstore,
    getCodec: (async () => raw) as never,
  });
  for await (const node of walker.walk(root, options)) {
    if (node.block.cid.code === raw.code) leaves.push(node.block.cid);
  }
  const count = Math.ceil(leaves.length * fraction);
  for (const cid of leaves.slice(0, count)) await blockstore.delete(cid, options);
  return { dropped: count, of: leaves.length };
}
