// Writes docs/collection-vectors.json: a small database (two collections, an index), its document
// blocks, maps, master and pack, as a third party reading Strata collections with stock IPLD
// libraries should find them. test/collections/vectors.test.ts checks them; regenerate only if the
// layout changes.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { CID } from "multiformats/cid";
import { toHex } from "viem";
import { buildCollection } from "../protocol/collections/build-collection.ts";
import { decodeDocument, documentBlock, withKey } from "../protocol/collections/document-block.ts";
import { type Master, masterBlock } from "../protocol/collections/master.ts";
import { type Block, writePack } from "../protocol/collections/pack.ts";
import { compareBytes } from "../protocol/collections/prolly-map.ts";

export const VECTOR_DOCS: Record<string, Record<string, unknown>[]> = {
  people: [
    { _id: "ada", name: "Ada", born: 1815, langs: ["en", "fr"] },
    { _id: "grace", name: "Grace", born: 1906, langs: ["en"] },
    { _id: "alan", name: "Alan", born: 1912, langs: [] },
    { name: "Anonymous", born: null },
  ],
  notes: [{ _id: "n1", text: "keys sort by their UTF-8 bytes", tags: { a: 1 } }],
};
export const VECTOR_INDEXES: Record<string, string[]> = { people: ["born", "langs"], notes: [] };

export async function collectionVectors() {
  const blocks = new Map<string, Block>();
  const load = async (cid: CID) => (blocks.get(cid.toString()) as Block).bytes;
  const collections: Master["collections"] = {};
  const documents: { collection: string; _id: string; cid: string; block: string }[] = [];
  for (const [name, docs] of Object.entries(VECTOR_DOCS)) {
    const entries: [string, CID][] = [];
    for (const doc of docs) {
      const keyed = await withKey(doc);
      const block = await documentBlock(keyed);
      blocks.set(block.cid.toString(), block);
      entries.push([keyed._id, block.cid]);
      documents.push({
        collection: name,
        _id: keyed._id,
        cid: block.cid.toString(),
        block: toHex(block.bytes),
      });
    }
    const encoder = new TextEncoder();
    entries.sort(([a], [b]) => compareBytes(encoder.encode(a), encoder.encode(b)));
    const built = await buildCollection(entries, VECTOR_INDEXES[name] ?? [], async (cid) =>
      decodeDocument(await load(cid)),
    );
    for (const block of built.blocks) blocks.set(block.cid.toString(), block);
    collections[name] = built.meta;
  }
  const master: Master = { v: 1, collections, packs: [] };
  const root = await masterBlock(master);
  const rest = [...blocks.values()].sort((a, b) => (a.cid.toString() < b.cid.toString() ? -1 : 1));
  const pack = await writePack(root, rest);
  return {
    documents,
    collections: Object.fromEntries(
      Object.entries(collections).map(([name, meta]) => [
        name,
        {
          root: meta.root?.toString() ?? null,
          count: meta.count,
          indexes: Object.fromEntries(
            Object.entries(meta.indexes).map(([p, c]) => [p, c?.toString() ?? null]),
          ),
        },
      ]),
    ),
    master: { cid: root.cid.toString(), block: toHex(root.bytes) },
    pack: toHex(pack),
  };
}

if (import.meta.main) {
  const path = join(import.meta.dirname, "..", "docs", "collection-vectors.json");
  await writeFile(path, `${JSON.stringify(await collectionVectors(), null, 2)}\n`);
  console.log(`wrote ${path}`);
}
