import type { GraphNode, GraphWalkerFactory } from "@helia/interface";
import * as dagPb from "@ipld/dag-pb";
import toBuffer from "it-to-buffer";
import type { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";

/**
 * A DAG walker for pinning UnixFS files with raw leaves: it reads the dag-pb nodes to find their
 * links but never the raw leaves, which have none. Pinning a 1 GiB blob then reads a few KiB
 * instead of the whole GiB. Other codecs are not walked.
 */
export function leafSkippingWalker(): GraphWalkerFactory {
  return ({ blockstore }) => ({
    async *walk<T>(root: CID, options: { signal?: AbortSignal } = {}): AsyncGenerator<GraphNode<T>> {
      const stack: { cid: CID; depth: number; path: CID[] }[] = [{ cid: root, depth: 0, path: [root] }];
      for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
        const { cid, depth, path } = next;
        options.signal?.throwIfAborted();
        if (cid.code === raw.code) {
          yield { block: { cid, bytes: new Uint8Array(0) }, depth, path } as unknown as GraphNode<T>;
          continue;
        }
        if (cid.code !== dagPb.code)
          throw new Error(`cannot walk codec 0x${cid.code.toString(16)} of ${cid}`);
        const bytes = await toBuffer(blockstore.get(cid, options));
        const node = dagPb.decode(bytes);
        yield { block: { cid, bytes, value: node }, depth, path } as unknown as GraphNode<T>;
        for (let i = node.Links.length - 1; i >= 0; i -= 1) {
          const hash = (node.Links[i] as dagPb.PBLink).Hash;
          stack.push({ cid: hash, depth: depth + 1, path: [...path, hash] });
        }
      }
    },
  });
}
