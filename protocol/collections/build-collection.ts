import type { CID } from "multiformats/cid";
import type { Document } from "./document-block.ts";
import { indexKey, indexValuesOf } from "./index-keys.ts";
import type { CollectionMeta } from "./master.ts";
import type { Block } from "./pack.ts";
import { buildMap, compareBytes, type MapEntry } from "./prolly-map.ts";

/**
 * A collection's maps from its entries (key and document CID, in key order): the map of keys to
 * documents and, for each indexed path, the map of `value bytes ‖ key` to key. Returns the
 * metadata the master keeps and every map block (unchanged nodes come out with their old CIDs).
 */
export async function buildCollection(
  entries: [string, CID][],
  indexes: string[],
  documentOf: (cid: CID) => Promise<Document>,
): Promise<{ meta: CollectionMeta; blocks: Block[] }> {
  const encoder = new TextEncoder();
  const docs = await buildMap(entries.map(([key, cid]) => [encoder.encode(key), cid] as MapEntry<CID>));
  const blocks = [...docs.blocks];
  const meta: CollectionMeta = { root: docs.root ?? null, count: entries.length, indexes: {} };
  const decoded: (readonly [string, Document])[] = [];
  if (indexes.length > 0) for (const [key, cid] of entries) decoded.push([key, await documentOf(cid)]);
  for (const path of indexes) {
    const keys: MapEntry<string>[] = [];
    for (const [key, doc] of decoded) {
      for (const value of indexValuesOf(doc, path)) keys.push([indexKey(value, key), key]);
    }
    keys.sort(([a], [b]) => compareBytes(a, b));
    const index = await buildMap(keys);
    blocks.push(...index.blocks);
    meta.indexes[path] = index.root ?? null;
  }
  return { meta, blocks };
}
