import * as dagCbor from "@ipld/dag-cbor";
import type { CID } from "multiformats/cid";
import { type LoadBlock, mapBlocks } from "../collections/prolly-map.ts";
import type { VaultManifest } from "./vault-manifest.ts";

/** Where a block of a snapshot sits: a file's chunk, or a block of the collections (maps and documents). */
export type SnapshotBlock = { cid: CID; kind: "chunk" } | { cid: CID; kind: "block"; bytes: Uint8Array };

/**
 * Every block a snapshot's manifest reaches, the manifest itself aside: each file's chunks (not
 * loaded), then each collection's map blocks, its documents and its index maps (loaded through
 * `load`, which a restore makes check each block against its CID). A block reached twice is
 * given once.
 */
export async function* snapshotBlocks(
  manifest: VaultManifest,
  load: LoadBlock,
): AsyncGenerator<SnapshotBlock> {
  const seen = new Set<string>();
  const first = (cid: CID) => {
    const key = cid.toString();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  };
  for (const file of manifest.files)
    for (const cid of file.chunks) if (first(cid)) yield { cid, kind: "chunk" };
  for (const meta of Object.values(manifest.collections)) {
    for await (const block of mapBlocks(meta.root ?? undefined, load)) {
      if (!first(block.cid)) continue;
      yield { cid: block.cid, kind: "block", bytes: block.bytes };
      const node = dagCbor.decode(block.bytes) as { l: number; e: [Uint8Array, CID][] };
      if (node.l !== 0) continue;
      for (const [, doc] of node.e) if (first(doc)) yield { cid: doc, kind: "block", bytes: await load(doc) };
    }
    for (const root of Object.values(meta.indexes)) {
      for await (const block of mapBlocks(root ?? undefined, load)) {
        if (first(block.cid)) yield { cid: block.cid, kind: "block", bytes: block.bytes };
      }
    }
  }
}
