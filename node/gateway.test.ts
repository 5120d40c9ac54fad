import { createCipheriv } from "node:crypto";
import { CarReader } from "@ipld/car";
import * as dagPb from "@ipld/dag-pb";
import { UnixFS } from "ipfs-unixfs";
import { importByteStream, importer } from "ipfs-unixfs-importer";
import { fixedSize } from "ipfs-unixfs-importer/chunker";
import { balanced, trickle } from "ipfs-unixfs-importer/layout";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { identity } from "multiformats/hashes/identity";
import { describe, expect, test } from "vitest";
import { unixfsImportOptions } from "#protocol";
import type { EntityBytes } from "../api/node/gateway-params.ts";
import {
  EntityBytesOutsideError,
  InvalidGatewayQueryError,
  NotAcceptableError,
  NotFoundError,
} from "./errors.ts";
import { type Block, type BlockSource, encodeCar, gatewayRequest, selectBlocks } from "./gateway.ts";

/** `length` reproducible pseudo-random bytes. */
const noise = (length: number, seed: number): Uint8Array =>
  createCipheriv("aes-128-ctr", new Uint8Array(16).fill(seed), new Uint8Array(16)).update(
    new Uint8Array(length),
  );

type Options = Parameters<typeof importByteStream>[2];

/** A file imported into an in-memory block map. */
async function dagOf(data: Uint8Array, options: Options) {
  const blocks = new Map<string, Uint8Array>();
  const store = {
    put: async (cid: CID, bytes: Uint8Array) => {
      blocks.set(cid.toString(), bytes);
      return cid;
    },
  };
  const { cid } = await importByteStream([data], store, options);
  const source: BlockSource = async (c) => blocks.get(c.toString());
  return { root: cid, blocks, source };
}

/** Small chunks and few links per node: a DAG three levels deep from a few hundred bytes. */
const small = (chunkSize = 10, links = 3, rawLeaves = true): Options => ({
  cidVersion: 1,
  rawLeaves,
  chunker: fixedSize({ chunkSize }),
  layout: balanced({ maxChildrenPerNode: links }),
});

/**
 * The reference answer to `entity-bytes` over the half-open [from, to), worked out from the
 * leaves alone (not from block sizes): every block of the full DFS whose bytes, as the leaves
 * under it add up, overlap the range; the root always.
 */
function expectedBlocks(root: CID, blocks: Map<string, Uint8Array>, from: number, to: number): string[] {
  const out: string[] = [];
  const sizeOf = (cid: CID): number => {
    const bytes = blocks.get(cid.toString()) as Uint8Array;
    if (cid.code === raw.code) return bytes.length;
    const node = dagPb.decode(bytes);
    const own = UnixFS.unmarshal(node.Data as Uint8Array).data?.length ?? 0;
    return node.Links.reduce((sum, link) => sum + sizeOf(link.Hash), own);
  };
  const visit = (cid: CID, start: number, isRoot: boolean) => {
    const size = sizeOf(cid);
    if (!isRoot && !(size > 0 && start < to && start + size > from)) return;
    out.push(cid.toString());
    if (cid.code !== dagPb.code) return;
    const node = dagPb.decode(blocks.get(cid.toString()) as Uint8Array);
    let offset = start + (UnixFS.unmarshal(node.Data as Uint8Array).data?.length ?? 0);
    for (const link of node.Links) {
      visit(link.Hash, offset, false);
      offset += sizeOf(link.Hash);
    }
  };
  visit(root, 0, true);
  return out;
}

async function collect(blocks: AsyncIterable<Block>): Promise<Block[]> {
  const out: Block[] = [];
  for await (const block of blocks) out.push(block);
  return out;
}

/** The file bytes the blocks carry, in order (raw leaves and inline data). */
function carried(blocks: Block[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const { cid, bytes } of blocks) {
    if (cid.code === raw.code) parts.push(bytes);
    else parts.push(UnixFS.unmarshal(dagPb.decode(bytes).Data as Uint8Array).data ?? new Uint8Array(0));
  }
  return Buffer.concat(parts);
}

async function ranged(dag: Awaited<ReturnType<typeof dagOf>>, entityBytes: EntityBytes, dups = true) {
  const selection = await selectBlocks(dag.source, dag.root, { scope: "entity", entityBytes, dups });
  return { selection, blocks: await collect(selection.blocks) };
}

describe("selectBlocks with entity-bytes", () => {
  const data = noise(245, 1);
  // 25 leaves of 10 bytes (the last 5), 3 links a node: a root, two levels of nodes, the leaves

  test.each([
    ["the first byte", 0, 0],
    ["the last byte", 244, 244],
    ["one whole chunk", 10, 19],
    ["the last byte of a chunk", 19, 19],
    ["the first byte of a chunk", 20, 20],
    ["across one chunk boundary", 19, 20],
    ["across a subtree boundary", 89, 90],
    ["the last, short chunk", 240, 244],
    ["the whole file", 0, 244],
    ["most of it", 7, 233],
  ])("%s (%i:%i) sends only the paths to those bytes, depth-first", async (_name, from, to) => {
    for (const rawLeaves of [true, false]) {
      const dag = await dagOf(data, small(10, 3, rawLeaves));
      const { selection, blocks } = await ranged(dag, { from, to });
      expect(selection.range).toEqual({ from, to: to + 1 });
      expect(selection.size).toBe(245);
      expect(blocks.map((b) => b.cid.toString())).toEqual(expectedBlocks(dag.root, dag.blocks, from, to + 1));
      // the leaves sent hold the range: the first starts at its chunk, the bytes follow on
      const bytes = carried(blocks);
      const first = Math.floor(from / 10) * 10;
      expect(Buffer.from(bytes.subarray(from - first, to + 1 - first))).toEqual(
        Buffer.from(data.subarray(from, to + 1)),
      );
      expect(bytes.length).toBe(Math.min(245, Math.floor(to / 10) * 10 + 10) - first);
    }
  });

  test("a range within one leaf is the root, the nodes above that leaf and the leaf", async () => {
    const dag = await dagOf(data, small());
    const { blocks } = await ranged(dag, { from: 125, to: 127 });
    expect(blocks).toHaveLength(4);
    expect(blocks[0]?.cid.equals(dag.root)).toBe(true);
    expect(blocks.map((b) => b.cid.code)).toEqual([dagPb.code, dagPb.code, dagPb.code, raw.code]);
  });

  test("negative offsets count from the end, * is the end, and ranges past the end are clamped", async () => {
    const dag = await dagOf(data, small());
    const cases: [EntityBytes, number, number][] = [
      [{ from: -1, to: "*" }, 244, 245],
      [{ from: -15, to: -6 }, 230, 240],
      [{ from: 0, to: "*" }, 0, 245],
      [{ from: 100, to: 100_000 }, 100, 245],
      [{ from: -100_000, to: 4 }, 0, 5],
      [{ from: 12, to: -200 }, 12, 46],
    ];
    for (const [entityBytes, from, to] of cases) {
      const { selection, blocks } = await ranged(dag, entityBytes);
      expect(selection.range, JSON.stringify(entityBytes)).toEqual({ from, to });
      expect(blocks.map((b) => b.cid.toString())).toEqual(expectedBlocks(dag.root, dag.blocks, from, to));
    }
  });

  test("a range reversed by the file's size is empty: the root alone", async () => {
    const dag = await dagOf(data, small());
    const { selection, blocks } = await ranged(dag, { from: 200, to: -100 });
    expect(selection.range).toEqual({ from: 200, to: 200 });
    expect(blocks.map((b) => b.cid.toString())).toEqual([dag.root.toString()]);
  });

  test("a range holding none of the file's bytes is refused before anything is sent (400)", async () => {
    const dag = await dagOf(data, small());
    for (const entityBytes of [
      { from: 245, to: "*" as const },
      { from: 1000, to: 2000 },
      { from: -1000, to: -300 },
    ]) {
      const error = await selectBlocks(dag.source, dag.root, {
        scope: "entity",
        entityBytes,
        dups: true,
      }).catch((e: unknown) => e);
      expect(error, JSON.stringify(entityBytes)).toBeInstanceOf(EntityBytesOutsideError);
      expect((error as EntityBytesOutsideError).statusCode).toBe(400);
      expect((error as EntityBytesOutsideError).code).toBe("NODE_ERR_RANGE");
    }
  });

  test("a one-chunk file (a bare raw block) is its one block for any range in it", async () => {
    const one = noise(1000, 2);
    const dag = await dagOf(one, unixfsImportOptions());
    expect(dag.root.code).toBe(raw.code);
    for (const entityBytes of [
      { from: 0, to: 0 },
      { from: 999, to: 999 },
      { from: 0, to: "*" as const },
    ]) {
      const { selection, blocks } = await ranged(dag, entityBytes);
      expect(selection.size).toBe(1000);
      expect(blocks.map((b) => b.cid.toString())).toEqual([dag.root.toString()]);
    }
    await expect(ranged(dag, { from: 1000, to: "*" })).rejects.toThrow(EntityBytesOutsideError);
  });

  test("an empty file answers any range with its root (it has no bytes to verify)", async () => {
    const dag = await dagOf(new Uint8Array(0), unixfsImportOptions());
    for (const entityBytes of [
      { from: 0, to: "*" as const },
      { from: 5, to: 10 },
    ]) {
      const { selection, blocks } = await ranged(dag, entityBytes);
      expect(selection.size).toBe(0);
      expect(blocks.map((b) => b.cid.toString())).toEqual([dag.root.toString()]);
    }
  });

  test("1 MiB chunks as the node imports them: a range across a chunk boundary is root and two leaves", async () => {
    const big = noise(3 * 1024 * 1024 + 12_345, 3);
    const dag = await dagOf(big, unixfsImportOptions());
    const mib = 1024 * 1024;
    const { blocks } = await ranged(dag, { from: mib - 10, to: mib + 9 });
    expect(blocks).toHaveLength(3);
    expect(Buffer.from(carried(blocks).subarray(mib - 10, mib + 10))).toEqual(
      Buffer.from(big.subarray(mib - 10, mib + 10)),
    );
    const last = await ranged(dag, { from: -1, to: "*" });
    expect(last.blocks).toHaveLength(2);
    expect(last.blocks[1]?.bytes.length).toBe(12_345);
  });

  test("another layout (trickle, dag-pb leaves): the same rule holds", async () => {
    const options: Options = {
      cidVersion: 1,
      rawLeaves: false,
      chunker: fixedSize({ chunkSize: 7 }),
      layout: trickle({ maxChildrenPerNode: 3, layerRepeat: 2 }),
    };
    const dag = await dagOf(data, options);
    for (const [from, to] of [
      [0, 0],
      [50, 120],
      [244, 244],
    ] as const) {
      const { blocks } = await ranged(dag, { from, to });
      expect(blocks.map((b) => b.cid.toString())).toEqual(expectedBlocks(dag.root, dag.blocks, from, to + 1));
    }
  });

  test("duplicate blocks (a file of zeros) are sent each time with dups, once without", async () => {
    const dag = await dagOf(new Uint8Array(100), small());
    const all = await ranged(dag, { from: 0, to: "*" }, true);
    const once = await ranged(dag, { from: 0, to: "*" }, false);
    const keys = once.blocks.map((b) => b.cid.toString());
    expect(new Set(keys).size).toBe(keys.length);
    expect(all.blocks.length).toBeGreaterThan(once.blocks.length);
    expect(new Set(all.blocks.map((b) => b.cid.toString()))).toEqual(new Set(keys));
    expect(Buffer.from(carried(all.blocks))).toEqual(Buffer.alloc(100));
  });
});

describe("selectBlocks with dag-scope", () => {
  async function directory() {
    const blocks = new Map<string, Uint8Array>();
    const store = {
      put: async (cid: CID, bytes: Uint8Array) => {
        blocks.set(cid.toString(), bytes);
        return cid;
      },
    };
    let root: CID | undefined;
    const files = [
      { path: "dir/a.bin", content: noise(35, 4) },
      { path: "dir/b.bin", content: noise(25, 5) },
    ];
    for await (const entry of importer(files, store, { ...small(), wrapWithDirectory: false })) {
      if (entry.path === "dir") root = entry.cid;
    }
    return { root: root as CID, blocks, source: (async (c) => blocks.get(c.toString())) as BlockSource };
  }

  test("block is the root alone; entity of a file its whole DAG; all of a file the same", async () => {
    const dag = await dagOf(noise(100, 6), small());
    const block = await collect(
      (await selectBlocks(dag.source, dag.root, { scope: "block", dups: true })).blocks,
    );
    expect(block.map((b) => b.cid.toString())).toEqual([dag.root.toString()]);
    const entity = await collect(
      (await selectBlocks(dag.source, dag.root, { scope: "entity", dups: true })).blocks,
    );
    const all = await collect(
      (await selectBlocks(dag.source, dag.root, { scope: "all", dups: true })).blocks,
    );
    expect(entity.map((b) => b.cid.toString())).toEqual(expectedBlocks(dag.root, dag.blocks, 0, 100));
    expect(all.map((b) => b.cid.toString())).toEqual(entity.map((b) => b.cid.toString()));
    expect(entity).toHaveLength(dag.blocks.size);
  });

  test("a directory: entity is its own block (entity-bytes ignored), all is everything under it", async () => {
    const dir = await directory();
    const entity = await selectBlocks(dir.source, dir.root, {
      scope: "entity",
      entityBytes: { from: 0, to: 5 },
      dups: true,
    });
    expect(entity.size).toBeUndefined();
    expect((await collect(entity.blocks)).map((b) => b.cid.toString())).toEqual([dir.root.toString()]);
    const all = await collect(
      (await selectBlocks(dir.source, dir.root, { scope: "all", dups: true })).blocks,
    );
    expect(new Set(all.map((b) => b.cid.toString()))).toEqual(new Set(dir.blocks.keys()));
    expect(all[0]?.cid.equals(dir.root)).toBe(true);
  });

  test("a missing root is a 404; identity blocks are walked, never sent", async () => {
    const dag = await dagOf(noise(30, 7), small());
    const missing = CID.parse("bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy");
    await expect(selectBlocks(dag.source, missing, { scope: "all", dups: true })).rejects.toThrow(
      NotFoundError,
    );
    const probe = CID.create(1, raw.code, identity.digest(new Uint8Array(0)));
    expect(probe.toString()).toBe("bafkqaaa");
    const selection = await selectBlocks(dag.source, probe, { scope: "all", dups: true });
    expect(await collect(selection.blocks)).toEqual([]);
  });

  test("a block missing under the root ends the walk with an error", async () => {
    const dag = await dagOf(noise(100, 8), small());
    const leaf = [...dag.blocks.keys()].find((key) => CID.parse(key).code === raw.code) as string;
    dag.blocks.delete(leaf);
    const selection = await selectBlocks(dag.source, dag.root, { scope: "all", dups: true });
    await expect(collect(selection.blocks)).rejects.toThrow(NotFoundError);
  });
});

describe("encodeCar", () => {
  test("a CARv1 any CAR reader reads back: the root, the blocks in order", async () => {
    const dag = await dagOf(noise(100, 9), small());
    const selection = await selectBlocks(dag.source, dag.root, { scope: "entity", dups: true });
    const blocks = await collect(selection.blocks);
    const chunks: Uint8Array[] = [];
    for await (const chunk of encodeCar([dag.root], blocks.values() as unknown as AsyncIterable<Block>))
      chunks.push(chunk);
    const reader = await CarReader.fromBytes(Buffer.concat(chunks));
    expect(reader.version).toBe(1);
    expect((await reader.getRoots()).map(String)).toEqual([dag.root.toString()]);
    const read: string[] = [];
    for await (const block of reader.blocks()) read.push(block.cid.toString());
    expect(read).toEqual(blocks.map((b) => b.cid.toString()));
  });
});

describe("gatewayRequest", () => {
  const RAW = "application/vnd.ipld.raw";
  const CAR = "application/vnd.ipld.car";

  test("format wins over Accept; Accept is negotiated by quality", () => {
    expect(gatewayRequest({ format: "raw" }, CAR)).toEqual({ format: "raw", negotiated: false });
    expect(gatewayRequest({ format: "car" }, RAW)).toMatchObject({ format: "car", negotiated: false });
    expect(gatewayRequest({}, RAW)).toEqual({ format: "raw", negotiated: true });
    expect(gatewayRequest({}, `${RAW};q=0.5, ${CAR}`)).toMatchObject({ format: "car" });
    expect(gatewayRequest({}, `${RAW}, ${CAR};q=0.9`)).toMatchObject({ format: "raw" });
    expect(gatewayRequest({}, `text/html, ${RAW};q=0.1`)).toMatchObject({ format: "raw" });
    expect(gatewayRequest({}, `${CAR};version=2, ${RAW};q=0.2`)).toMatchObject({ format: "raw" });
  });

  test("no Accept, an empty one or */* gets the default: a CAR of the whole DAG, dups=n", () => {
    for (const accept of [undefined, "", "*/*", "application/*", "text/html, */*;q=0.8"]) {
      expect(gatewayRequest({}, accept), String(accept)).toEqual({
        format: "car",
        negotiated: true,
        scope: "all",
        dups: false,
      });
    }
  });

  test("an Accept naming only types this gateway does not serve is a 406", () => {
    for (const accept of [
      "text/html",
      `${CAR};version=2`,
      `${RAW};q=0`,
      "application/vnd.ipfs.ipns-record",
    ]) {
      expect(() => gatewayRequest({}, accept), accept).toThrow(NotAcceptableError);
    }
  });

  test("CAR parameters: scope, entity-bytes (implying entity), dups from car-dups over Accept", () => {
    expect(gatewayRequest({ format: "car", "dag-scope": "block" }, undefined)).toMatchObject({
      scope: "block",
    });
    expect(gatewayRequest({ format: "car", "entity-bytes": "0:*" }, undefined)).toMatchObject({
      scope: "entity",
      entityBytes: { from: 0, to: "*" },
    });
    expect(gatewayRequest({}, `${CAR}; version=1; order=dfs; dups=y`)).toMatchObject({ dups: true });
    expect(gatewayRequest({ format: "car" }, `${CAR}; dups=y`)).toMatchObject({ dups: true });
    expect(gatewayRequest({ "car-dups": "n" }, `${CAR}; dups=y`)).toMatchObject({ dups: false });
    expect(gatewayRequest({ "car-dups": "y", "car-version": "1", "car-order": "unk" }, CAR)).toMatchObject({
      dups: true,
    });
  });

  test("malformed or contradictory parameters are 400s that say what is wrong", () => {
    const bad: Record<string, string>[] = [
      { format: "tar" },
      { format: "ipns-record" },
      { "dag-scope": "everything" },
      { "entity-bytes": "5" },
      { "entity-bytes": "a:b" },
      { "entity-bytes": "10:5" },
      { "entity-bytes": "-5:-10" },
      { "entity-bytes": "1:2:3" },
      { "entity-bytes": "*:5" },
      { "entity-bytes": "0:*", "dag-scope": "all" },
      { "car-version": "2" },
      { "car-order": "bfs" },
      { "car-dups": "maybe" },
    ];
    for (const query of bad) {
      const error = (() => {
        try {
          gatewayRequest(query, CAR);
        } catch (e) {
          return e;
        }
      })();
      expect(error, JSON.stringify(query)).toBeInstanceOf(InvalidGatewayQueryError);
      expect((error as InvalidGatewayQueryError).statusCode).toBe(400);
      expect((error as InvalidGatewayQueryError).code).toBe("NODE_ERR_INVALID_QUERY");
    }
  });
});
