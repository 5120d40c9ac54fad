import { randomBytes } from "node:crypto";
import { CarWriter } from "@ipld/car/writer";
import * as dagPb from "@ipld/dag-pb";
import { importByteStream } from "ipfs-unixfs-importer";
import type { CID } from "multiformats/cid";
import { describe, expect, test } from "vitest";
import { unixfsImportOptions } from "#protocol";
import { VerificationError } from "../errors.ts";
import { verifiedFileBytes } from "./verified-car.ts";

/** A file imported as a Strata node does, and its blocks in depth-first order. */
async function dagOf(data: Uint8Array) {
  const blocks = new Map<string, Uint8Array>();
  const store = {
    put: async (cid: CID, bytes: Uint8Array) => {
      blocks.set(cid.toString(), bytes);
      return cid;
    },
  };
  const { cid: root } = await importByteStream([data], store, unixfsImportOptions());
  const order: { cid: CID; bytes: Uint8Array }[] = [];
  const walk = (cid: CID) => {
    const bytes = blocks.get(cid.toString()) as Uint8Array;
    order.push({ cid, bytes });
    if (cid.code === dagPb.code) for (const link of dagPb.decode(bytes).Links) walk(link.Hash);
  };
  walk(root);
  return { root, order };
}

async function* carOf(root: CID, blocks: { cid: CID; bytes: Uint8Array }[]) {
  const { writer, out } = CarWriter.create([root]);
  void (async () => {
    for (const block of blocks) await writer.put(block);
    await writer.close();
  })();
  yield* out;
}

async function collect(source: AsyncIterable<Uint8Array>) {
  const chunks: Uint8Array[] = [];
  for await (const chunk of source) chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe("verifiedFileBytes", () => {
  const data = randomBytes(3 * (1 << 20) + 12_345);

  test("yields the file's bytes from a CAR in depth-first order", async () => {
    const { root, order } = await dagOf(data);
    expect(order.length).toBeGreaterThan(2);
    expect(Buffer.compare(await collect(verifiedFileBytes(root, carOf(root, order))), data)).toBe(0);
  });

  test("refuses a block whose bytes do not match its CID", async () => {
    const { root, order } = await dagOf(data);
    const tampered = order.map((block, i) => {
      if (i !== 2) return block;
      const bytes = Uint8Array.from(block.bytes);
      bytes[100] = (bytes[100] as number) ^ 1;
      return { cid: block.cid, bytes };
    });
    const yielded: Uint8Array[] = [];
    await expect(async () => {
      for await (const chunk of verifiedFileBytes(root, carOf(root, tampered))) yielded.push(chunk);
    }).rejects.toThrow(VerificationError);
    // only the blocks before the bad one were released
    expect(Buffer.concat(yielded).length).toBe(1 << 20);
  });

  test("refuses blocks out of order and a CAR that stops short", async () => {
    const { root, order } = await dagOf(data);
    const swapped = [order[0]!, order[2]!, order[1]!, ...order.slice(3)];
    await expect(collect(verifiedFileBytes(root, carOf(root, swapped)))).rejects.toThrow(/expected block/);
    await expect(collect(verifiedFileBytes(root, carOf(root, order.slice(0, -1))))).rejects.toThrow(
      /ended before/,
    );
  });
});
