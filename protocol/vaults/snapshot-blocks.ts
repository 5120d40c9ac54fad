import * as dagCbor from "@ipld/dag-cbor";
import type { CID } from "multiformats/cid";
import { blockKey } from "../collections/pack.ts";
import type { LoadBlock } from "../collections/prolly-map.ts";
import type { VaultManifest } from "./vault-manifest.ts";

/** Where a block of a snapshot sits: a file's chunk, or a block of the collections (maps and documents). */
export type SnapshotBlock = { cid: CID; kind: "chunk" } | { cid: CID; kind: "block"; bytes: Uint8Array };

/**
 * Every block a snapshot's manifest reaches, the manifest itself aside: each file's chunks (not
 * loaded), then each collection's map blocks, its documents and its index maps (loaded through
 * `load`, which a restore makes check each block against its CID). A block reached twice is
 * given once. `skip` prunes: a block it names is not given, nor, for a map block, anything
 * under it (a snapshot skips what an earlier one shipped, and a shipped map block's whole tree
 * was shipped with it).
 */
export async function* snapshotBlocks(
  manifest: VaultManifest,
  load: LoadBlock,
  options: { skip?: (cid: CID) => boolean } = {},
): AsyncGenerator<SnapshotBlock> {
  const seen = new Set<string>();
  const wanted = (cid: CID) => {
    const key = blockKey(cid);
    if (seen.has(key)) return false;
    seen.add(key);
    return !options.skip?.(cid);
  };
  async function* map(root: CID | null | undefined, documents: boolean): AsyncGenerator<SnapshotBlock> {
    if (!root || !wanted(root)) return;
    const bytes = await load(root);
    yield { cid: root, kind: "block", bytes };
    const node = dagCbor.decode(bytes) as { l: number; e: [Uint8Array, unknown][] };
    for (const [, value] of node.e) {
      if (node.l > 0) yield* map(value as CID, documents);
      else if (documents && wanted(value as CID)) {
        yield { cid: value as CID, kind: "block", bytes: await load(value as CID) };
      }
    }
  }
  for (const file of manifest.files) {
    for (const cid of file.chunks) if (wanted(cid)) yield { cid, kind: "chunk" };
  }
  for (const meta of Object.values(manifest.collections)) {
    yield* map(meta.root, true);
    for (const root of Object.values(meta.indexes)) yield* map(root, false);
  }
}
