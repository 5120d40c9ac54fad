import { createCipheriv } from "node:crypto";
import { readFile } from "node:fs/promises";
import { MemoryBlockstore } from "blockstore-core/memory";
import { importByteStream } from "ipfs-unixfs-importer";
import { fixedSize } from "ipfs-unixfs-importer/chunker";
import { balanced } from "ipfs-unixfs-importer/layout";
import type { CID } from "multiformats/cid";
import { describe, expect, it } from "vitest";
import { CHUNK_SIZE, cidOfStream, groupingChunker, MAX_LINKS, unixfsImportOptions } from "./cid.ts";

/** `length` reproducible pseudo-random bytes (AES-128-CTR of zeros under `seed`). */
const noise = (length: number, seed: number): Uint8Array =>
  createCipheriv("aes-128-ctr", new Uint8Array(16).fill(seed), new Uint8Array(16)).update(
    new Uint8Array(length),
  );

/**
 * The CID the stock importer gives with the documented options alone (CIDv1, raw leaves, 1 MiB
 * chunks; its own default layout), no Strata code.
 */
async function stockCid(data: Iterable<Uint8Array> | AsyncIterable<Uint8Array>) {
  const discard = { put: async (cid: CID) => cid };
  const { cid } = await importByteStream(data, discard, {
    cidVersion: 1,
    rawLeaves: true,
    chunker: fixedSize({ chunkSize: CHUNK_SIZE }),
  });
  return cid.toString();
}

/** `chunks` MiB and `tail` bytes, chunk i filled with byte i mod 256 (docs/cid-vectors.json). */
function* patterned(chunks: number, tail: number): Generator<Uint8Array> {
  for (let i = 0; i < chunks; i++) yield new Uint8Array(CHUNK_SIZE).fill(i % 256);
  if (tail > 0) yield new Uint8Array(tail).fill(chunks % 256);
}

describe("Strata's UnixFS settings", () => {
  const sizes = [1, 1000, CHUNK_SIZE, CHUNK_SIZE + 1, 3 * CHUNK_SIZE + 12_345];

  it("give the stock importer's CID for the same bytes (leaves hashed on the pool)", async () => {
    for (const size of sizes) {
      const data = noise(size, size % 251);
      expect((await cidOfStream([data])).toString(), `${size} bytes`).toBe(await stockCid([data]));
    }
  });

  it("give the stock importer's CID past 174 chunks, where the DAG grows a level", async () => {
    const ours = await cidOfStream(patterned(MAX_LINKS + 1, 1));
    expect(ours.toString()).toBe(await stockCid(patterned(MAX_LINKS + 1, 1)));
    // and the old 1024-link layout would have given another
    const wide = await importByteStream(
      patterned(MAX_LINKS + 1, 1),
      { put: async (cid: CID) => cid },
      {
        cidVersion: 1,
        rawLeaves: true,
        chunker: fixedSize({ chunkSize: CHUNK_SIZE }),
        layout: balanced({ maxChildrenPerNode: 1024 }),
      },
    );
    expect(wide.cid.toString()).not.toBe(ours.toString());
  });

  it("match docs/cid-vectors.json", async () => {
    const vectors = JSON.parse(
      await readFile(new URL("../docs/cid-vectors.json", import.meta.url), "utf8"),
    ) as { vectors: { chunks: number; tail: number; size: number; cid: string; cidHex: string }[] };
    expect(vectors.vectors.length).toBeGreaterThan(4);
    for (const vector of vectors.vectors) {
      const cid = await cidOfStream(patterned(vector.chunks, vector.tail));
      expect(cid.toString(), `${vector.size} bytes`).toBe(vector.cid);
      expect(Buffer.from(cid.bytes).toString("hex")).toBe(vector.cidHex.slice(2));
    }
  });

  it("store exactly the blocks the stock importer stores", async () => {
    const data = noise(2 * CHUNK_SIZE + 7, 9);
    const ours = new MemoryBlockstore();
    const stock = new MemoryBlockstore();
    await importByteStream([data], ours, unixfsImportOptions());
    await importByteStream([data], stock, {
      cidVersion: 1,
      rawLeaves: true,
      chunker: fixedSize({ chunkSize: CHUNK_SIZE }),
    });
    const keys = async (store: MemoryBlockstore) => {
      const all: string[] = [];
      for await (const { cid } of store.getAll()) all.push(cid.toString());
      return all.sort();
    };
    expect(await keys(ours)).toEqual(await keys(stock));
  });

  it("the grouping chunker cuts 1 MiB pieces in order, whatever pieces come in", async () => {
    const data = noise(2 * CHUNK_SIZE + 100, 4);
    const seen: { index: number; length: number }[] = [];
    const chunker = groupingChunker((chunk, index) => {
      seen.push({ index, length: chunk.length });
    });
    const out: Uint8Array[] = [];
    const pieces = [data.subarray(0, 10), data.subarray(10, CHUNK_SIZE + 5), data.subarray(CHUNK_SIZE + 5)];
    for await (const chunk of chunker(
      (async function* () {
        yield* pieces;
      })(),
    ))
      out.push(Uint8Array.from(chunk));
    expect(seen).toEqual([
      { index: 0, length: CHUNK_SIZE },
      { index: 1, length: CHUNK_SIZE },
      { index: 2, length: 100 },
    ]);
    expect(Buffer.concat(out)).toEqual(Buffer.from(data));
    expect(await cidOfStream(pieces)).toEqual(await cidOfStream([data]));
  });
});
