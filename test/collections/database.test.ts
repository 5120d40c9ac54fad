import { join } from "node:path";
import { BSON } from "bson";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { tempDir } from "../../devnet/temp-dir.ts";
import {
  Database,
  DatabaseNotPublishedError,
  DatabaseUnavailableError,
  StaleCommitError,
  StorageEngine,
  StrataClient,
  toBSON,
} from "../../sdk/index.ts";
import { FUNDS, type SdkNetwork, startSdkNetwork } from "../sdk/sdk-network.ts";

// The document database over a real network: chain, two storage nodes, the indexer; each
// "machine" is a StrataClient with a cache folder of its own.
let net: SdkNetwork;
let dir: Awaited<ReturnType<typeof tempDir>>;
let writer: StrataClient;

beforeAll(async () => {
  net = await startSdkNetwork({ registered: 2 });
  dir = await tempDir("collections");
  writer = net.client(net.h.wallet(8));
  await writer.faucet(FUNDS);
}, 120_000);
afterAll(async () => {
  await net?.stop();
  await dir?.cleanup();
});

const cache = (name: string) => join(dir.path, name);
const reader = (indexerUrl = net.indexerUrl) =>
  new StrataClient({
    deployment: net.deployment,
    publicClient: net.h.publicClient,
    indexerUrl,
    pollingIntervalMs: 100,
  });
const owner = () => net.h.wallet(8).account.address;
const upload = { replicas: 2 } as const;

describe("collections", () => {
  test("10,000 inserts and one commit move the name once; a second machine opens it from the name and reads", async () => {
    const db = await Database.create(writer, { label: "people", cacheDir: cache("w1") });
    const people = db.collection("people");
    await people.createIndex("email");
    await people.createIndex("age");
    const docs = Array.from({ length: 10_000 }, (_, i) => ({
      _id: `p${i}`,
      email: `user${i}@example.org`,
      age: 18 + (i % 60),
      tags: i % 3 === 0 ? ["admin"] : [],
    }));
    await people.insert(docs);
    const committed = await db.commit({ upload });
    expect(committed?.sequence).toBe(1n);
    expect(committed?.blocks).toBeGreaterThan(10_000);
    await net.indexed();
    expect((await writer.names.history({ owner: owner(), label: "people" })).updates).toHaveLength(1);

    const other = await Database.open(reader(), {
      name: { owner: owner(), label: "people" },
      cacheDir: cache("r1"),
    });
    expect(other.sequence).toBe(1n);
    const collection = other.collection("people");
    expect(await collection.count()).toBe(10_000);
    expect(collection.plan({ email: "user4242@example.org" })).toEqual({ index: "email" });
    expect(await collection.find({ email: "user4242@example.org" })).toEqual([docs[4242]]);
    expect(await collection.get("p9999")).toEqual(docs[9999]);
    const older = await collection.find(
      { age: { $gte: 76 } },
      { sort: { _id: 1 }, limit: 3, projection: { age: 1 } },
    );
    const expected = docs
      .filter((d) => d.age >= 76)
      .map((d) => ({ _id: d._id, age: d.age }))
      .sort((x, y) => (x._id < y._id ? -1 : 1))
      .slice(0, 3);
    expect(older).toEqual(expected);
    expect(older.every((d) => (d.age as number) >= 76)).toBe(true);
  });

  test("the cache serves after the packs are deleted on every node; an uncached machine finds it unavailable", async () => {
    const db = await Database.create(writer, { label: "notes", cacheDir: cache("w2") });
    await db.collection("notes").insert([
      { _id: "a", text: "kept" },
      { _id: "b", text: "also kept" },
    ]);
    const committed = await db.commit({ upload });
    await net.indexed();
    // a reader caches it, then every copy on the network goes
    const first = await Database.open(reader(), {
      name: { owner: owner(), label: "notes" },
      cacheDir: cache("r2"),
    });
    expect((await first.collection("notes").get("a"))?.text).toBe("kept");
    const deleted = await writer.delete(committed!.blobId);
    expect(deleted.dropped.length).toBe(2);
    const again = await Database.open(reader(), {
      name: { owner: owner(), label: "notes" },
      cacheDir: cache("r2"),
    });
    expect((await again.collection("notes").find({ text: /also/ })).map((d) => d._id)).toEqual(["b"]);
    await expect(
      Database.open(reader(), { name: { owner: owner(), label: "notes" }, cacheDir: cache("r3") }),
    ).rejects.toBeInstanceOf(DatabaseUnavailableError);
    // and offline, from the copy alone
    const offline = await Database.open(reader("http://127.0.0.1:9"), {
      name: { owner: owner(), label: "notes" },
      cacheDir: cache("r2"),
      offline: true,
    });
    expect(await offline.collection("notes").count()).toBe(2);
  });

  test("a second writer from the same sequence is refused, and the name stays where the first put it", async () => {
    const a = await Database.create(writer, { label: "shared", cacheDir: cache("wa") });
    await a.collection("c").insert({ _id: "x", v: 1 });
    await a.commit({ upload });
    await net.indexed();
    const name = { owner: owner(), label: "shared" };
    const one = await Database.open(writer, { name, cacheDir: cache("wb") });
    const two = await Database.open(writer, { name, cacheDir: cache("wc") });
    await one.collection("c").update({ _id: "x" }, { $set: { v: 2 } });
    await two.collection("c").update({ _id: "x" }, { $set: { v: 3 } });
    expect((await one.commit({ upload }))?.sequence).toBe(2n);
    const balance = await writer.balance();
    await expect(two.commit({ upload })).rejects.toBeInstanceOf(StaleCommitError);
    expect(await writer.balance()).toBe(balance); // refused before paying
    await net.indexed();
    const seen = await Database.open(reader(), { name, cacheDir: cache("wd") });
    expect(seen.sequence).toBe(2n);
    expect((await seen.collection("c").get("x"))?.v).toBe(2);
  });

  test("never published is not published, unreachable is unavailable; neither makes an empty database", async () => {
    await expect(
      Database.open(reader(), { name: { owner: owner(), label: "nothing" }, cacheDir: cache("n1") }),
    ).rejects.toBeInstanceOf(DatabaseNotPublishedError);
    await expect(
      Database.open(reader("http://127.0.0.1:9"), {
        name: { owner: owner(), label: "people" },
        cacheDir: cache("n2"),
      }),
    ).rejects.toBeInstanceOf(DatabaseUnavailableError);
    await expect(Database.create(writer, { label: "people", cacheDir: cache("n3") })).rejects.toThrow(
      /already published/,
    );
    // another signer may read the database, never commit to it
    const theirs = await Database.open(net.client(net.h.wallet(9)), {
      name: { owner: owner(), label: "people" },
      cacheDir: cache("n4"),
    });
    await theirs.collection("people").insert({ _id: "intruder" });
    await expect(theirs.commit({ upload })).rejects.toThrow(/only 0x[0-9a-fA-F]{40} commits to people/);
  });

  test("the seed's interfaces: write/read round trip, remove of an absent name is false, BSON in and out, publish and resolve", async () => {
    const engine = new StorageEngine(
      await Database.create(writer, { label: "engine", cacheDir: cache("e1") }),
      {
        commit: { upload },
      },
    );
    engine.use("test");
    const bytes = new TextEncoder().encode("something stupid");
    const cid = await engine.writeBytes(bytes);
    expect(cid.code).toBe(0x55);
    expect(await engine.read(cid.toString())).toEqual(bytes);
    await engine.write("notes.txt", new TextEncoder().encode("v1"));
    await engine.write("notes.txt", new TextEncoder().encode("v2"));
    expect(new TextDecoder().decode(await engine.read("notes.txt"))).toBe("v2");
    expect(await engine.remove("absent")).toBe(false);
    expect(await engine.remove("notes.txt")).toBe(true);
    const key = await engine.writeBSON(BSON.serialize({ something: "stupid", n: 7 }));
    const published = await engine.publish();
    expect(published?.sequence).toBe(1n);
    await net.indexed();
    expect((await engine.resolve()).toString()).toBe(published?.pack);
    // republishing hands the anchored record to the indexer and to both nodes holding the pack
    await engine.republishNow();
    const { ipnsName } = await writer.names.resolve(engine.db.nameId);
    for (const node of net.started.nodes) {
      const served = await fetch(`${node.url}/ipns/${ipnsName}?format=ipns-record`);
      expect(served.status).toBe(200);
    }
    const back = await Database.open(reader(), {
      name: { owner: owner(), label: "engine" },
      cacheDir: cache("e2"),
    });
    const doc = await back.collection("test").get(key);
    expect(BSON.deserialize(toBSON(doc!))).toMatchObject({ something: "stupid", n: 7 });
  });

  test("the same documents written in two orders give the same master", async () => {
    const docs = Array.from({ length: 500 }, (_, i) => ({ _id: `k${i}`, v: i % 7 }));
    const masters = [];
    for (const [label, order] of [
      ["order-a", docs],
      ["order-b", [...docs].reverse()],
    ] as const) {
      const db = await Database.create(writer, { label, cacheDir: cache(label) });
      await db.collection("c").createIndex("v");
      for (const doc of order) await db.collection("c").insert(doc);
      masters.push((await db.commit({ upload }))?.master);
    }
    expect(masters[0]).toBe(masters[1]);
  });
});
