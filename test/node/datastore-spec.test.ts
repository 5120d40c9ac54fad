import { execFileSync } from "node:child_process";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CarReader } from "@ipld/car";
import { importer } from "ipfs-unixfs-importer";
import { base32upper } from "multiformats/bases/base32";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { CHUNK_SIZE, unixfsImportOptions } from "#protocol";
import { prepareBlob, putToNode, registerPrepared } from "../../devnet/blob-upload.ts";
import { startNodes } from "../../devnet/start-nodes.ts";
import { mostBatchesBetweenWrites, openStoreWorkload } from "../../devnet/store-workload.ts";
import {
  connectStrata,
  randomBytes,
  type StrataHarness,
  type TestNode,
} from "../../devnet/strata-fixture.ts";
import { tempDir } from "../../devnet/temp-dir.ts";
import { nodeConfigDefaults } from "../../node/config.ts";
import { type DatastoreSpec, DEFAULT_DATASTORE_SPEC } from "../../node/datastore/datastore-spec.ts";
import { carStream, rawBlock } from "../../node/gateway.ts";
import { openStores } from "../../node/storage/open-stores.ts";

/** kubo's file name of a block (its multihash in base32, no multibase prefix), computed here on its own. */
const kuboName = (cid: CID) => base32upper.baseEncode(cid.multihash.bytes);
/** kubo's default shard: the two characters before the last. */
const kuboShard = (name: string) => name.slice(-3, -1);
/** What kubo writes into a repository's `datastore_spec` with its default config. */
const KUBO_DATASTORE_SPEC =
  '{"mounts":[{"mountpoint":"/blocks","path":"blocks","shardFunc":"/repo/flatfs/shard/v1/next-to-last/2","type":"flatfs"},{"mountpoint":"/","path":"datastore","type":"levelds"}],"type":"mount"}';
const du = (path: string) =>
  Number(execFileSync("du", ["-s", "-B1", path], { encoding: "utf8" }).split("\t")[0]);

describe("the flat-file layout", () => {
  test("blocks land at blocks/<shard>/<multihash>.data beside SHARDING, and datastore_spec is kubo's", async () => {
    const dir = await tempDir("strata-layout-");
    const workload = await openStoreWorkload(dir.path);
    try {
      const data = randomBytes(3 * CHUNK_SIZE + 1000, 1);
      const root = await workload.upload(1, data);
      const leaves: CID[] = [];
      for (let at = 0; at < data.length; at += CHUNK_SIZE) {
        leaves.push(CID.createV1(raw.code, await sha256.digest(data.subarray(at, at + CHUNK_SIZE))));
      }
      for (const cid of [root, ...leaves]) {
        const name = kuboName(cid);
        const bytes = await readFile(join(dir.path, "blocks", kuboShard(name), `${name}.data`));
        expect(Buffer.from(bytes).equals(Buffer.from(await rawBlock(workload.stores, cid)))).toBe(true);
      }
      expect(await readFile(join(dir.path, "blocks", "SHARDING"), "utf8")).toBe(
        "/repo/flatfs/shard/v1/next-to-last/2\n",
      );
      expect((await readFile(join(dir.path, "datastore_spec"), "utf8")).trim()).toBe(KUBO_DATASTORE_SPEC);
      // every shard is a directory of two characters; nothing else but kubo's files beside them
      const top = await readdir(join(dir.path, "blocks"), { withFileTypes: true });
      for (const entry of top) {
        if (entry.isDirectory()) expect(entry.name).toMatch(/^[A-Z2-7]{2}$/);
        else expect(["SHARDING", "_README"]).toContain(entry.name);
      }
    } finally {
      await workload.close();
      await dir.cleanup();
    }
  });

  test("a directory built to kubo's layout is served by the gateway, raw blocks and the whole DAG as a CAR", async () => {
    const dir = await tempDir("strata-kubo-fixture-");
    try {
      // kubo's repository as `ipfs add` leaves it: each block of the file's DAG under its name
      const data = randomBytes(5 * CHUNK_SIZE + 4321, 2);
      const blocks = new Map<string, Uint8Array>();
      const sink = {
        put: async (cid: CID, bytes: Uint8Array) => {
          blocks.set(cid.toString(), bytes);
          return cid;
        },
      };
      let root: CID | undefined;
      for await (const entry of importer([{ content: data }], sink as never, unixfsImportOptions()))
        root = entry.cid;
      if (!root) throw new Error("nothing imported");
      await mkdir(join(dir.path, "blocks"), { recursive: true });
      await writeFile(join(dir.path, "blocks", "SHARDING"), "/repo/flatfs/shard/v1/next-to-last/2\n");
      await writeFile(join(dir.path, "datastore_spec"), `${KUBO_DATASTORE_SPEC}\n`);
      for (const [text, bytes] of blocks) {
        const name = kuboName(CID.parse(text));
        await mkdir(join(dir.path, "blocks", kuboShard(name)), { recursive: true });
        await writeFile(join(dir.path, "blocks", kuboShard(name), `${name}.data`), bytes);
      }

      const stores = await openStores(dir.path, { registry: new Registry(), bloomFilterSize: 4096 });
      try {
        const car = await CarReader.fromIterable(await carStream(stores, root));
        const served = new Map<string, Uint8Array>();
        for await (const block of car.blocks()) served.set(block.cid.toString(), block.bytes);
        expect([...served.keys()].sort()).toEqual([...blocks.keys()].sort());
        for (const [cid, bytes] of served)
          expect(Buffer.from(bytes).equals(Buffer.from(blocks.get(cid) ?? []))).toBe(true);
        expect(
          Buffer.from(await rawBlock(stores, root)).equals(Buffer.from(blocks.get(root.toString()) ?? [])),
        ).toBe(true);
        // the store counted kubo's files as its own
        expect(stores.mounts.find((m) => m.mountpoint === "/blocks")?.entries?.()).toBe(blocks.size);
      } finally {
        await stores.close();
      }
    } finally {
      await dir.cleanup();
    }
  });

  test("a spec that changes the shard function is refused at open, naming both, and nothing is moved", async () => {
    const dir = await tempDir("strata-spec-guard-");
    try {
      const first = await openStores(dir.path, { registry: new Registry() });
      const cid = CID.createV1(raw.code, await sha256.digest(new Uint8Array([1, 2, 3])));
      await first.blockstore.put(cid, new Uint8Array([1, 2, 3]));
      await first.close();
      const changed = structuredClone(DEFAULT_DATASTORE_SPEC) as Extract<DatastoreSpec, { type: "mount" }>;
      const blocks = changed.mounts[0] as { child: { shardFunc: string } };
      blocks.child.shardFunc = "/repo/flatfs/shard/v1/next-to-last/3";
      const refused = await openStores(dir.path, { registry: new Registry(), spec: changed }).catch(
        (e: unknown) => e,
      );
      expect(refused).toMatchObject({ code: "NODE_ERR_DATASTORE_SPEC" });
      const message = (refused as Error).message;
      expect(message).not.toContain("\n");
      expect(message).toContain("next-to-last/2");
      expect(message).toContain("next-to-last/3");
      // the data directory is as it was: the old spec opens it and finds the block
      const again = await openStores(dir.path, { registry: new Registry() });
      expect(await again.blockstore.has(cid)).toBe(true);
      await again.close();
    } finally {
      await dir.cleanup();
    }
  });
});

describe("the bloom filter", () => {
  test("warm, it answers 100k has calls for absent CIDs touching the store for at most 1% of them", async () => {
    const dir = await tempDir("strata-bloom-");
    const workload = await openStoreWorkload(dir.path, { bloomFilterSize: 256 * 1024 });
    try {
      const present = await workload.writeGarbage(20_000);
      await workload.stores.blockstore.rebuild();
      const blocks = workload.stores.mounts.find((m) => m.mountpoint === "/blocks");
      const touches = () => blocks?.measure?.count("has") ?? Number.NaN;
      const before = touches();
      let found = 0;
      for (let i = 0; i < 100_000; i++) {
        const absent = CID.createV1(raw.code, await sha256.digest(new TextEncoder().encode(`absent ${i}`)));
        if (await workload.stores.blockstore.has(absent)) found += 1;
      }
      expect(found).toBe(0);
      expect(touches() - before).toBeLessThanOrEqual(1000);
      // and every stored block is still found
      for (const cid of present.slice(0, 2000)) expect(await workload.stores.blockstore.has(cid)).toBe(true);
      const stats = workload.stores.blockstore.stats();
      expect(stats).toMatchObject({ warm: true, hashes: 7, bytes: 256 * 1024 });
      expect(stats.answered).toBeGreaterThanOrEqual(99_000);
    } finally {
      await workload.close();
      await dir.cleanup();
    }
  });
});

describe("garbage collection in batches", () => {
  test("100k unpinned blocks are collected while uploads go on, and no upload write waits behind more than one batch", async () => {
    const dir = await tempDir("strata-gc-batches-");
    const workload = await openStoreWorkload(dir.path, { gcBatch: 1000 });
    try {
      const garbage = await workload.writeGarbage(100_000);
      let collecting = true;
      const collection = workload.gc.collect().finally(() => {
        collecting = false;
      });
      // uploads one after another, a client's pause between them, for as long as the collection runs
      const uploaded: { root: CID; data: Uint8Array }[] = [];
      let upload = 0;
      while (collecting) {
        const data = randomBytes(CHUNK_SIZE + 1000, 100 + upload);
        uploaded.push({ root: await workload.upload(++upload, data), data });
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const done = await collection;
      expect(done.removed).toBe(100_000);
      expect(done.freedBytes).toBeGreaterThanOrEqual(100_000 * 64);
      expect(done.batches).toBeGreaterThanOrEqual(100);
      expect(uploaded.length).toBeGreaterThanOrEqual(2);
      // uploads wrote blocks while batches ended, and none waited behind two
      const batchesSeen = workload.events.filter((e) => e.kind === "batch").length;
      expect(batchesSeen).toBe(done.batches);
      expect(mostBatchesBetweenWrites(workload.events)).toBeLessThanOrEqual(1);
      for (const cid of garbage.slice(0, 1000)) expect(await workload.stores.blockstore.has(cid)).toBe(false);
      // every upload is whole: its blocks were held, then pinned
      for (const { root } of uploaded) expect(await workload.helia.pins.isPinned(root)).toBe(true);
      const last = uploaded.at(-1);
      if (last) {
        const { readFileRange } = await import("../../node/storage/read-file.ts");
        const chunks: Uint8Array[] = [];
        for await (const chunk of readFileRange(workload.stores.reads, last.root, {
          offset: 0,
          length: last.data.length,
        }))
          chunks.push(chunk);
        expect(Buffer.concat(chunks).equals(Buffer.from(last.data))).toBe(true);
      }
      // the store's own count is what du finds
      const blocks = workload.stores.mounts.find((m) => m.mountpoint === "/blocks");
      const counted = (await blocks?.usage())?.bytes ?? 0;
      expect(Math.abs(counted - du(join(dir.path, "blocks")))).toBeLessThanOrEqual(
        du(join(dir.path, "blocks")) / 100,
      );
    } finally {
      await workload.close();
      await dir.cleanup();
    }
  }, 300_000);
});

const h: StrataHarness = await connectStrata();

describe("a node under its datastore spec", () => {
  let env: Awaited<ReturnType<typeof h.deploy>>;
  let nodes: TestNode[];
  let running: Awaited<ReturnType<typeof startNodes>>;
  const stats = async () =>
    (await (await fetch(`${running.nodes[0]?.url}/stats`)).json()) as {
      storage: {
        max: number;
        usedBytes: number;
        mounts: {
          mountpoint: string;
          type: string;
          usedBytes: number;
          entries: number | null;
          inodes: number;
        }[];
        bloom: { warm: boolean; fillRatio: number };
      };
      uploads: { refused: number };
    };

  beforeAll(async () => {
    env = await h.deploy();
    nodes = await h.registerNodes(env.deployment, 1);
    running = await startNodes(h, env.deployment, nodes, () => ({
      storage: { ...nodeConfigDefaults.storage, bloomFilterSize: 64 * 1024 },
      prover: { enabled: false, pollMs: 200, watchdog: false },
    }));
  });
  afterAll(async () => {
    await running?.stop();
  });

  test("/stats and /metrics show each mount's use, blocks and inodes, and the used figure is within 1% of du", async () => {
    const blob = await prepareBlob(randomBytes(6 * CHUNK_SIZE + 99, 3));
    const blobId = await registerPrepared(h, env.deployment, h.wallet(8), nodes, blob);
    expect((await putToNode(running.nodes[0]?.url ?? "", blobId, blob.data)).status).toBe(200);
    const { storage } = await stats();
    const blocks = storage.mounts.find((m) => m.mountpoint === "/blocks");
    expect(blocks).toMatchObject({ type: "flatfs" });
    expect(blocks?.entries).toBeGreaterThanOrEqual(7);
    expect(blocks?.inodes).toBeGreaterThan(blocks?.entries ?? 0);
    expect(storage.mounts.find((m) => m.mountpoint === "/")).toMatchObject({
      type: "levelds",
      entries: null,
    });
    const dataDir = running.configs[0]?.dataDir ?? "";
    const measured = du(dataDir);
    expect(Math.abs(storage.usedBytes - measured)).toBeLessThanOrEqual(measured / 100);
    expect(storage.bloom.warm).toBe(true);
    const metrics = await (await fetch(`${running.nodes[0]?.url}/metrics`)).text();
    expect(metrics).toMatch(/strata_node_datastore_used_bytes\{mountpoint="\/blocks",type="flatfs"\} [1-9]/);
    expect(metrics).toMatch(/strata_node_datastore_inodes\{mountpoint="\/",type="levelds"\} [1-9]/);
    expect(metrics).toMatch(
      /strata_node_datastore_operations_total\{store="flatfs.datastore",mountpoint="\/blocks",op="put"\} [1-9]/,
    );
    expect(metrics).toMatch(/strata_node_datastore_operation_seconds_bucket\{.*store="leveldb.datastore"/);
    expect(metrics).toMatch(/strata_node_bloom_false_positive_rate [0-9.e-]+/);
  });

  test("an upload that would cross StorageMax is refused before a byte is written", async () => {
    const dataDir = running.configs[0]?.dataDir ?? "";
    const used = (await stats()).storage.usedBytes;
    // room for half of the upload
    const blob = await prepareBlob(randomBytes(16 * CHUNK_SIZE, 4));
    await running.restart(0, {
      storage: { ...(running.configs[0]?.storage ?? nodeConfigDefaults.storage), max: used + blob.size / 2 },
    });
    const blobId = await registerPrepared(h, env.deployment, h.wallet(8), nodes, blob);
    const blocksBefore = (await stats()).storage.mounts.find((m) => m.mountpoint === "/blocks")?.entries;
    const before = du(join(dataDir, "blocks"));
    const answer = await putToNode(running.nodes[0]?.url ?? "", blobId, blob.data);
    expect(answer.status).toBe(507);
    expect((answer.json as { error: { code: string } }).error.code).toBe("NODE_ERR_STORAGE_FULL");
    expect(du(join(dataDir, "blocks"))).toBe(before);
    const after = await stats();
    expect(after.storage.mounts.find((m) => m.mountpoint === "/blocks")?.entries).toBe(blocksBefore);
    expect(after.uploads.refused).toBe(1);
  });

  test("a restart with another shard function is refused with one line naming both specs", async () => {
    const config = running.configs[0];
    if (!config) throw new Error("no node");
    const spec = structuredClone(DEFAULT_DATASTORE_SPEC) as Extract<DatastoreSpec, { type: "mount" }>;
    (spec.mounts[0] as { child: { shardFunc: string } }).child.shardFunc =
      "/repo/flatfs/shard/v1/next-to-last/3";
    const refused = await running
      .restart(0, { storage: { ...config.storage, spec } })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: "NODE_ERR_DATASTORE_SPEC" });
    expect((refused as Error).message).toMatch(/next-to-last\/2.*next-to-last\/3/);
    // the configured spec starts again, every block where it was
    await running.restart(0, { storage: config.storage });
    expect((await stats()).storage.mounts.find((m) => m.mountpoint === "/blocks")?.entries).toBeGreaterThan(
      0,
    );
  });
});
