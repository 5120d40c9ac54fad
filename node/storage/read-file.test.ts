import { randomBytes } from "node:crypto";
import { MemoryBlockstore } from "blockstore-core/memory";
import { importer } from "ipfs-unixfs-importer";
import { fixedSize } from "ipfs-unixfs-importer/chunker";
import { balanced } from "ipfs-unixfs-importer/layout";
import toBuffer from "it-to-buffer";
import type { CID } from "multiformats/cid";
import { describe, expect, it } from "vitest";
import { NotAFileError } from "../errors.ts";
import { readFileRange } from "./read-file.ts";

async function store(bytes: Uint8Array, chunkSize: number, extra: object = {}) {
  const blockstore = new MemoryBlockstore();
  let root: CID | undefined;
  for await (const entry of importer([{ content: bytes }], blockstore, {
    cidVersion: 1,
    rawLeaves: true,
    chunker: fixedSize({ chunkSize }),
    // a narrow tree, so that small files already have several levels
    layout: balanced({ maxChildrenPerNode: 4 }),
    ...extra,
  }))
    root = entry.cid;
  return { blockstore, root: root as CID };
}

describe("readFileRange", () => {
  const bytes = randomBytes(10_000);

  it("reads a whole multi-level file back", async () => {
    const { blockstore, root } = await store(bytes, 300);
    expect(Buffer.from(await toBuffer(readFileRange(blockstore, root)))).toEqual(bytes);
  });

  it("reads every kind of range: inside a block, across blocks, the tail, one byte", async () => {
    const { blockstore, root } = await store(bytes, 300);
    const ranges = [
      [0, 1],
      [299, 2],
      [150, 2_000],
      [9_999, 1],
      [1_234, 10_000 - 1_234],
      [0, 10_000],
    ];
    for (const [offset, length] of ranges) {
      const got = await toBuffer(readFileRange(blockstore, root, { offset, length }));
      expect(Buffer.from(got), `${offset}+${length}`).toEqual(bytes.subarray(offset, offset + length));
    }
  });

  it("reads files whose bytes sit inline in dag-pb nodes (not raw leaves)", async () => {
    const { blockstore, root } = await store(bytes, 500, { rawLeaves: false, reduceSingleLeafToSelf: false });
    const got = await toBuffer(readFileRange(blockstore, root, { offset: 777, length: 3_000 }));
    expect(Buffer.from(got)).toEqual(bytes.subarray(777, 3_777));
  });

  it("reads a single raw block", async () => {
    const { blockstore, root } = await store(bytes.subarray(0, 100), 1024);
    const got = await toBuffer(readFileRange(blockstore, root, { offset: 10, length: 20 }));
    expect(Buffer.from(got)).toEqual(bytes.subarray(10, 30));
  });

  it("never reads more than its read-ahead beyond what the consumer took", async () => {
    const { blockstore, root } = await store(bytes, 100);
    let leafReads = 0;
    const counting = {
      // biome-ignore lint/suspicious/noExplicitAny: a thin wrapper over the store's own signature
      get: (cid: CID, options?: any) => {
        if (cid.code === 0x55) leafReads += 1;
        return blockstore.get(cid, options);
      },
    };
    const reader = readFileRange(counting, root, undefined, { readAhead: 3 });
    await reader.next();
    await reader.next();
    // two consumed, at most three more in flight
    expect(leafReads).toBeLessThanOrEqual(5);
    expect(leafReads).toBeGreaterThanOrEqual(2);
    await reader.return(undefined);
  });

  it("refuses a directory", async () => {
    const blockstore = new MemoryBlockstore();
    let root: CID | undefined;
    for await (const entry of importer([{ path: "d/a", content: bytes }], blockstore, {
      wrapWithDirectory: true,
    }))
      root = entry.cid;
    await expect(toBuffer(readFileRange(blockstore, root as CID))).rejects.toBeInstanceOf(NotAFileError);
  });
});
