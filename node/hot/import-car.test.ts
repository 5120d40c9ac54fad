import { createCipheriv } from "node:crypto";
import { CarWriter } from "@ipld/car/writer";
import { MemoryBlockstore } from "blockstore-core/memory";
import { type ImporterOptions, importByteStream } from "ipfs-unixfs-importer";
import { fixedSize } from "ipfs-unixfs-importer/chunker";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import { toHex } from "viem";
import { describe, expect, it } from "vitest";
import { treeRoot } from "#protocol";
import { capSections, importCar } from "./import-car.ts";

const noise = (length: number, seed: number): Uint8Array =>
  createCipheriv("aes-128-ctr", new Uint8Array(16).fill(seed), new Uint8Array(16)).update(
    new Uint8Array(length),
  );

/** A stock import of `data` with `options`, and its blocks in the order the importer wrote them. */
async function stockDag(data: Uint8Array, options: Partial<ImporterOptions>) {
  const blocks: { cid: CID; bytes: Uint8Array }[] = [];
  const recorder = {
    put: async (cid: CID, bytes: Uint8Array) => {
      if (!blocks.some((b) => b.cid.equals(cid))) blocks.push({ cid, bytes });
      return cid;
    },
  };
  const { cid } = await importByteStream([data], recorder, options);
  return { cid, blocks };
}

async function carOf(root: CID, blocks: { cid: CID; bytes: Uint8Array }[]): Promise<Uint8Array> {
  const { writer, out } = CarWriter.create([root]);
  const parts: Uint8Array[] = [];
  const collected = (async () => {
    for await (const part of out) parts.push(part);
  })();
  for (const block of blocks) await writer.put(block);
  await writer.close();
  await collected;
  return Buffer.concat(parts);
}

async function run(car: Uint8Array, expected: { cid: string; size: number; commitment: `0x${string}` }) {
  const store = new MemoryBlockstore();
  const result = importCar({
    source: [car] as unknown as AsyncIterable<Uint8Array>,
    blockstore: store,
    expected,
    maxBytes: 1 << 30,
  });
  return { result, store };
}

const storedCount = async (store: MemoryBlockstore) => {
  let n = 0;
  for await (const _ of store.getAll()) n++;
  return n;
};

describe("importCar", () => {
  const data = noise(3 * 262_144 + 999, 3);
  const expectedOf = (cid: CID) => ({
    cid: cid.toString(),
    size: data.length,
    commitment: toHex(treeRoot(data)),
  });

  it("takes kubo's default layout (CIDv0, 256 KiB dag-pb leaves) and computes the commitment", async () => {
    const dag = await stockDag(data, { cidVersion: 0, rawLeaves: false });
    const { result, store } = await run(await carOf(dag.cid, dag.blocks), expectedOf(dag.cid));
    const imported = await result;
    expect(imported.cid.toString()).toBe(dag.cid.toString());
    expect(toHex(imported.commitment.root)).toBe(toHex(treeRoot(data)));
    expect(imported.newBlocks).toHaveLength(dag.blocks.length);
    expect(await storedCount(store)).toBe(dag.blocks.length);
  });

  it("takes a CIDv1 raw-leaf DAG with 1 MiB chunks, and a bare raw block", async () => {
    const dag = await stockDag(data, {
      cidVersion: 1,
      rawLeaves: true,
      chunker: fixedSize({ chunkSize: 1_048_576 }),
    });
    expect(
      (await (await run(await carOf(dag.cid, dag.blocks), expectedOf(dag.cid))).result).cid.toString(),
    ).toBe(dag.cid.toString());
    const small = data.subarray(0, 5000);
    const leaf = CID.createV1(raw.code, await sha256.digest(small));
    const imported = await (
      await run(await carOf(leaf, [{ cid: leaf, bytes: small }]), {
        cid: leaf.toString(),
        size: small.length,
        commitment: toHex(treeRoot(small)),
      })
    ).result;
    expect(imported.cid.equals(leaf)).toBe(true);
  });

  it("refuses a block whose bytes do not hash to its CID, keeping nothing", async () => {
    const dag = await stockDag(data, {
      cidVersion: 1,
      rawLeaves: true,
      chunker: fixedSize({ chunkSize: 262_144 }),
    });
    const blocks = dag.blocks.map((b) => ({ cid: b.cid, bytes: Uint8Array.from(b.bytes) }));
    const leaf = blocks.find((b) => b.cid.code === raw.code);
    if (!leaf) throw new Error("no leaf");
    leaf.bytes[7] = (leaf.bytes[7] ?? 0) ^ 1;
    const { result, store } = await run(await carOf(dag.cid, blocks), expectedOf(dag.cid));
    await expect(result).rejects.toMatchObject({ code: "NODE_ERR_INVALID_CAR", statusCode: 422 });
    expect(await storedCount(store)).toBe(0);
  });

  it("refuses a missing block, an extra block, another root, and other bytes", async () => {
    const dag = await stockDag(data, {
      cidVersion: 1,
      rawLeaves: true,
      chunker: fixedSize({ chunkSize: 262_144 }),
    });
    const leafIndex = dag.blocks.findIndex((b) => b.cid.code === raw.code);
    const missing = dag.blocks.filter((_, i) => i !== leafIndex);
    const missed = await run(await carOf(dag.cid, missing), expectedOf(dag.cid));
    await expect(missed.result).rejects.toThrow(/missing/);
    expect(await storedCount(missed.store)).toBe(0);

    const extraBytes = noise(100, 9);
    const extra = { cid: CID.createV1(raw.code, await sha256.digest(extraBytes)), bytes: extraBytes };
    const padded = await run(await carOf(dag.cid, [...dag.blocks, extra]), expectedOf(dag.cid));
    await expect(padded.result).rejects.toThrow(/not part of the file/);
    expect(await storedCount(padded.store)).toBe(0);

    const other = await stockDag(noise(data.length, 4), { cidVersion: 1, rawLeaves: true });
    await expect(
      (await run(await carOf(other.cid, other.blocks), expectedOf(dag.cid))).result,
    ).rejects.toMatchObject({
      code: "NODE_ERR_CONTENT_MISMATCH",
    });
    await expect(
      (await run(await carOf(other.cid, other.blocks), { ...expectedOf(dag.cid), cid: other.cid.toString() }))
        .result,
    ).rejects.toThrow(/commitment/);
  });

  it("refuses bytes that are not a CAR", async () => {
    const { result } = await run(
      noise(300, 1),
      expectedOf(CID.createV1(raw.code, await sha256.digest(data))),
    );
    await expect(result).rejects.toMatchObject({ code: "NODE_ERR_INVALID_CAR" });
  });

  it("refuses a section over the cap from its length alone, before its bytes arrive", async () => {
    // a header of 2 bytes, then a section declaring 3 MiB: refused at its varint
    const varint = (n: number) => {
      const out: number[] = [];
      for (; n >= 0x80; n = Math.floor(n / 128)) out.push((n % 128) | 0x80);
      out.push(n);
      return Uint8Array.from(out);
    };
    let pulled = 0;
    async function* source() {
      yield Uint8Array.from([...varint(2), 0xa0, 0xa0]);
      pulled++;
      yield varint(3 * 1_048_576);
      pulled++;
      yield new Uint8Array(1_048_576);
      pulled++;
    }
    const seen: Uint8Array[] = [];
    await expect(
      (async () => {
        for await (const chunk of capSections(source(), 2 * 1_048_576 + 128)) seen.push(chunk);
      })(),
    ).rejects.toMatchObject({ code: "NODE_ERR_INVALID_CAR" });
    expect(seen).toHaveLength(1);
    expect(pulled).toBe(1);
    // sections under the cap pass whole, split anywhere
    const dag = await stockDag(data, {
      cidVersion: 1,
      rawLeaves: true,
      chunker: fixedSize({ chunkSize: 1_048_576 }),
    });
    const car = await carOf(dag.cid, dag.blocks);
    const pieces = [
      car.subarray(0, 1),
      car.subarray(1, 40),
      car.subarray(40, 1_048_700),
      car.subarray(1_048_700),
    ];
    const out: Uint8Array[] = [];
    async function* split() {
      yield* pieces;
    }
    for await (const chunk of capSections(split(), 2 * 1_048_576 + 128)) out.push(chunk);
    expect(Buffer.concat(out).equals(Buffer.from(car))).toBe(true);
  });
});
