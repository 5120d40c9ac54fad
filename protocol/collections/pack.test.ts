import { CarReader } from "@ipld/car/reader";
import { describe, expect, test } from "vitest";
import { documentBlock } from "./document-block.ts";
import { blockKey, indexPack, verifyBlock, writePack } from "./pack.ts";

describe("packs", () => {
  test("a pack is a CARv1 stock readers read; indexPack finds every block, the master first", async () => {
    const master = await documentBlock({ _id: "master" });
    const blocks = await Promise.all(
      Array.from({ length: 300 }, (_, i) => documentBlock({ _id: `d${i}`, i })),
    );
    const pack = await writePack(master, blocks);
    const stock = await CarReader.fromBytes(pack);
    expect((await stock.getRoots())[0]?.equals(master.cid)).toBe(true);
    expect(Buffer.from((await stock.get(blocks[123]!.cid))?.bytes as Uint8Array)).toEqual(
      Buffer.from(blocks[123]!.bytes),
    );
    const indexed = indexPack(pack);
    expect(indexed.root.equals(master.cid)).toBe(true);
    expect(indexed.blocks.size).toBe(301);
    for (const block of [master, ...blocks]) {
      const bytes = indexed.blocks.get(blockKey(block.cid)) as Uint8Array;
      expect(Buffer.from(bytes)).toEqual(Buffer.from(block.bytes));
      await verifyBlock(block.cid, bytes);
    }
  });

  test("a block that lies, a truncated pack and bytes that are not a CAR are refused", async () => {
    const master = await documentBlock({ _id: "master" });
    const doc = await documentBlock({ _id: "d", text: "the original" });
    const pack = await writePack(master, [doc]);
    const lying = pack.slice();
    lying[lying.length - 2] = (lying[lying.length - 2] as number) ^ 1;
    const bytes = indexPack(lying).blocks.get(blockKey(doc.cid)) as Uint8Array;
    await expect(verifyBlock(doc.cid, bytes)).rejects.toMatchObject({ code: "STRATA_ERR_DB_CORRUPT" });
    expect(() => indexPack(pack.subarray(0, pack.length - 5))).toThrow(/ends inside a block/);
    expect(() => indexPack(new TextEncoder().encode("hello, not a car"))).toThrow(/not a CAR/);
  });
});
