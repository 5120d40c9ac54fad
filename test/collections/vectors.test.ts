import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { CarReader } from "@ipld/car/reader";
import * as dagCbor from "@ipld/dag-cbor";
import type { CID } from "multiformats/cid";
import { hexToBytes } from "viem";
import { describe, expect, test } from "vitest";
import { collectionVectors } from "../../scripts/collection-vectors.ts";

const file = join(import.meta.dirname, "../../docs/collection-vectors.json");

describe("docs/collection-vectors.json", () => {
  test("the layout code reproduces every block, root, master and the pack byte for byte", async () => {
    const expected = JSON.parse(await readFile(file, "utf8")) as unknown;
    expect(JSON.parse(JSON.stringify(await collectionVectors()))).toEqual(expected);
  });

  test("stock IPLD libraries read the pack: master, a document by key, an index range", async () => {
    const vectors = JSON.parse(await readFile(file, "utf8")) as {
      pack: `0x${string}`;
      master: { cid: string };
    };
    const car = await CarReader.fromBytes(hexToBytes(vectors.pack));
    const [root] = await car.getRoots();
    expect(root?.toString()).toBe(vectors.master.cid);
    const get = async (cid: CID) => dagCbor.decode((await car.get(cid))?.bytes as Uint8Array) as never;
    const master = (await get(root as CID)) as {
      collections: Record<string, { root: CID; indexes: Record<string, CID> }>;
    };
    // a map node is { l: level, e: [[key bytes, value or child], …] }; children hold keys >= their first
    const lookup = async (node: CID, key: Uint8Array): Promise<unknown> => {
      const { l, e } = (await get(node)) as { l: number; e: [Uint8Array, unknown][] };
      const text = (b: Uint8Array) => Buffer.from(b).toString("hex");
      if (l === 0) return e.find(([k]) => text(k) === text(key))?.[1];
      const child = [...e].reverse().find(([k]) => Buffer.compare(Buffer.from(k), Buffer.from(key)) <= 0);
      return child ? lookup(child[1] as CID, key) : undefined;
    };
    const grace = await lookup(master.collections.people!.root, new TextEncoder().encode("grace"));
    expect(await get(grace as CID)).toMatchObject({ name: "Grace", born: 1906 });
    const leaf = (await get(master.collections.people!.indexes.born!)) as {
      l: number;
      e: [Uint8Array, string][];
    };
    // born: null first (0x10), then the numbers in order (0x20 …)
    expect(leaf.e.map(([, key]) => key)).toEqual([expect.stringMatching(/^bafyrei/), "ada", "grace", "alan"]);
  });
});
