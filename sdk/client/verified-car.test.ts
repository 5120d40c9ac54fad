import { randomBytes } from "node:crypto";
import { CarWriter } from "@ipld/car/writer";
import * as dagPb from "@ipld/dag-pb";
import { UnixFS } from "ipfs-unixfs";
import { importByteStream } from "ipfs-unixfs-importer";
import { fixedSize } from "ipfs-unixfs-importer/chunker";
import { balanced } from "ipfs-unixfs-importer/layout";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import { describe, expect, test } from "vitest";
import { unixfsImportOptions } from "../../protocol/index.ts";
import { VerificationError } from "../errors.ts";
import { verifiedFileBytes } from "./verified-car.ts";

/** A file imported as a Strata node does (or with `options`), and its blocks in depth-first order. */
async function dagOf(
  data: Uint8Array,
  options: Parameters<typeof importByteStream>[2] = unixfsImportOptions(),
) {
  const blocks = new Map<string, Uint8Array>();
  const store = {
    put: async (cid: CID, bytes: Uint8Array) => {
      blocks.set(cid.toString(), bytes);
      return cid;
    },
  };
  const { cid: root } = await importByteStream([data], store, options);
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

/**
 * What a gateway answers `entity-bytes` over [from, to) with, worked out from the leaves alone:
 * the root, then depth-first each block whose bytes overlap the range.
 */
function rangeBlocks(order: { cid: CID; bytes: Uint8Array }[], from: number, to: number) {
  const byCid = new Map(order.map((block) => [block.cid.toString(), block]));
  const sizeOf = (cid: CID): number => {
    const { bytes } = byCid.get(cid.toString()) as { bytes: Uint8Array };
    if (cid.code === raw.code) return bytes.length;
    return dagPb.decode(bytes).Links.reduce((sum, link) => sum + sizeOf(link.Hash), 0);
  };
  const out: { cid: CID; bytes: Uint8Array }[] = [];
  const visit = (cid: CID, start: number, root: boolean) => {
    const size = sizeOf(cid);
    if (!root && !(size > 0 && start < to && start + size > from)) return;
    const block = byCid.get(cid.toString()) as { cid: CID; bytes: Uint8Array };
    out.push(block);
    if (cid.code !== dagPb.code) return;
    let offset = start;
    for (const link of dagPb.decode(block.bytes).Links) {
      visit(link.Hash, offset, false);
      offset += sizeOf(link.Hash);
    }
  };
  visit((order[0] as { cid: CID }).cid, 0, true);
  return out;
}

describe("verifiedFileBytes with a range (entity-bytes)", () => {
  const data = randomBytes(245);
  const small = {
    cidVersion: 1 as const,
    rawLeaves: true,
    chunker: fixedSize({ chunkSize: 10 }),
    layout: balanced({ maxChildrenPerNode: 3 }),
  };

  test("yields exactly the range's bytes from just the blocks on the paths to them", async () => {
    const { root, order } = await dagOf(data, small);
    for (const [from, to] of [
      [0, 1],
      [244, 245],
      [9, 11],
      [10, 20],
      [89, 91],
      [0, 245],
      [17, 233],
      [240, 245],
    ] as const) {
      const blocks = rangeBlocks(order, from, to);
      expect(blocks.length).toBeLessThanOrEqual(order.length);
      let size: number | undefined;
      const bytes = await collect(
        verifiedFileBytes(root, carOf(root, blocks), {
          range: { offset: from, end: to },
          onSize: (s) => (size = s),
        }),
      );
      expect(Buffer.compare(bytes, data.subarray(from, to)), `${from}:${to}`).toBe(0);
      expect(size).toBe(245);
    }
  });

  test("a range past the end yields what the file has; one at the end yields nothing", async () => {
    const { root, order } = await dagOf(data, small);
    const tail = await collect(
      verifiedFileBytes(root, carOf(root, rangeBlocks(order, 200, 245)), {
        range: { offset: 200, end: 1000 },
      }),
    );
    expect(Buffer.compare(tail, data.subarray(200))).toBe(0);
    const none = await collect(
      verifiedFileBytes(root, carOf(root, order.slice(0, 1)), { range: { offset: 245 } }),
    );
    expect(none.length).toBe(0);
  });

  test("refuses blocks the range does not need (the whole DAG for a range)", async () => {
    const { root, order } = await dagOf(data, small);
    await expect(
      collect(verifiedFileBytes(root, carOf(root, order), { range: { offset: 100, end: 110 } })),
    ).rejects.toThrow(/expected block/);
  });

  test("refuses a range CAR missing a block on the path, or cut short", async () => {
    const { root, order } = await dagOf(data, small);
    const blocks = rangeBlocks(order, 100, 130);
    const withoutMiddle = [...blocks.slice(0, 1), ...blocks.slice(2)];
    await expect(
      collect(verifiedFileBytes(root, carOf(root, withoutMiddle), { range: { offset: 100, end: 130 } })),
    ).rejects.toThrow(/expected block/);
    await expect(
      collect(
        verifiedFileBytes(root, carOf(root, blocks.slice(0, -1)), { range: { offset: 100, end: 130 } }),
      ),
    ).rejects.toThrow(/ended before/);
  });

  test("refuses a tampered leaf of the range before yielding any of its bytes", async () => {
    const { root, order } = await dagOf(data, small);
    const blocks = rangeBlocks(order, 95, 125).map((block, i, all) => {
      if (i !== all.length - 1) return block;
      const bytes = Uint8Array.from(block.bytes);
      bytes[0] = (bytes[0] as number) ^ 1;
      return { cid: block.cid, bytes };
    });
    const yielded: Uint8Array[] = [];
    await expect(async () => {
      for await (const chunk of verifiedFileBytes(root, carOf(root, blocks), {
        range: { offset: 95, end: 125 },
      }))
        yielded.push(chunk);
    }).rejects.toThrow(/does not match its hash/);
    expect(Buffer.concat(yielded).length).toBe(25);
  });

  test("refuses a DAG whose node declares sizes its children do not have", async () => {
    const leaves = [randomBytes(10), randomBytes(10)];
    const leafCids = await Promise.all(
      leaves.map(async (bytes) => CID.create(1, raw.code, await sha256.digest(bytes))),
    );
    const unixfs = new UnixFS({ type: "file", blockSizes: [10n, 15n] });
    const rootBytes = dagPb.encode(
      dagPb.prepare({
        Data: unixfs.marshal(),
        Links: leafCids.map((Hash, i) => ({ Hash, Tsize: leaves[i]!.length })),
      }),
    );
    const root = CID.create(1, dagPb.code, await sha256.digest(rootBytes));
    const blocks = [
      { cid: root, bytes: rootBytes },
      ...leafCids.map((cid, i) => ({ cid, bytes: leaves[i]! })),
    ];
    await expect(collect(verifiedFileBytes(root, carOf(root, blocks)))).rejects.toThrow(
      /its parent declares 15/,
    );
  });
});
