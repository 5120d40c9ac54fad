import type { CID } from "multiformats/cid";
import { describe, expect, test } from "vitest";
import { buildCollection } from "./build-collection.ts";
import { Collection } from "./collection.ts";
import { encodeIndexValue } from "./index-keys.ts";
import type { CollectionMeta } from "./master.ts";
import { buildMap, compareBytes, getEntry, rangeEntries } from "./prolly-map.ts";

/** A collection over an in-memory block map, committed by `buildCollection` as the database does. */
function memoryCollection() {
  const blocks = new Map<string, Uint8Array>();
  let meta: CollectionMeta | undefined;
  const load = async (cid: CID) => {
    const bytes = blocks.get(cid.toString());
    if (!bytes) throw new Error(`no block ${cid}`);
    return bytes;
  };
  const collection = new Collection("docs", {
    load,
    put: (block) => blocks.set(block.cid.toString(), block.bytes),
    committed: () => meta,
  });
  return {
    collection,
    async commit() {
      const { entries, indexes } = await collection.snapshot();
      const built = await buildCollection(entries, indexes, (cid) => collection.document(cid));
      for (const block of built.blocks) blocks.set(block.cid.toString(), block.bytes);
      meta = built.meta;
      collection.committed();
      return built.meta;
    },
  };
}

/** A seeded PRNG (mulberry32): a failure replays from its seed. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T>(items: readonly T[]) => items[int(0, items.length - 1)] as T;
  return { next, int, pick };
}

describe("the prolly map", () => {
  test("the same entries give the same root whatever the order they were gathered in; get and ranges read it", async () => {
    const rand = prng(3);
    const keys = Array.from({ length: 2000 }, (_, i) => `key-${i.toString().padStart(5, "0")}`);
    const entries = keys.map((k) => [new TextEncoder().encode(k), k] as [Uint8Array, string]);
    const shuffled = [...entries].sort(() => rand.next() - 0.5).sort(([a], [b]) => compareBytes(a, b));
    const a = await buildMap(entries);
    const b = await buildMap(shuffled);
    expect(a.root?.toString()).toBe(b.root?.toString());
    expect(a.blocks.length).toBeGreaterThan(40); // about 32 entries a node: many leaves and a few levels
    const store = new Map(a.blocks.map((block) => [block.cid.toString(), block.bytes]));
    const load = async (cid: CID) => store.get(cid.toString()) as Uint8Array;
    for (const k of ["key-00000", "key-01234", "key-01999"]) {
      expect(await getEntry(a.root, new TextEncoder().encode(k), load)).toBe(k);
    }
    expect(await getEntry(a.root, new TextEncoder().encode("key-02000"), load)).toBeUndefined();
    const range: string[] = [];
    for await (const [, v] of rangeEntries<string>(
      a.root,
      { start: new TextEncoder().encode("key-00100"), end: new TextEncoder().encode("key-00150") },
      load,
    )) {
      range.push(v);
    }
    expect(range).toEqual(keys.slice(100, 150));
  });

  test("one changed entry rewrites only the nodes on its path", async () => {
    const entries = Array.from(
      { length: 3000 },
      (_, i) => [Uint8Array.of(i >> 8, i & 0xff), i] as [Uint8Array, number],
    );
    const before = await buildMap(entries);
    const changed = entries.map(([k, v]) => [k, v === 1500 ? -1 : v] as [Uint8Array, number]);
    const after = await buildMap(changed);
    const old = new Set(before.blocks.map((b) => b.cid.toString()));
    const rewritten = after.blocks.filter((b) => !old.has(b.cid.toString()));
    expect(after.root?.toString()).not.toBe(before.root?.toString());
    expect(rewritten.length).toBeLessThanOrEqual(4);
  });
});

describe("index keys", () => {
  test("sort as the values do: null, numbers (negative, zero, fractions), strings, booleans", () => {
    const values = [null, -1e9, -2.5, -1, 0, 0.5, 1, 2, 1e12, "", "a", "a\u0000b", "ab", "b", false, true];
    const encoded = values.map((v) => encodeIndexValue(v) as Uint8Array);
    for (let i = 1; i < encoded.length; i += 1) {
      expect(
        compareBytes(encoded[i - 1] as Uint8Array, encoded[i] as Uint8Array),
        `${values[i - 1]} < ${values[i]}`,
      ).toBeLessThan(0);
    }
    expect(encodeIndexValue({})).toBeUndefined();
    expect(encodeIndexValue(Number.NaN)).toBeUndefined();
    expect(compareBytes(encodeIndexValue(-0) as Uint8Array, encodeIndexValue(0) as Uint8Array)).toBe(0);
  });
});

describe("a collection", () => {
  test("two insert orders give the same root and indexes", async () => {
    const docs = Array.from({ length: 300 }, (_, i) => ({ _id: `d${i}`, n: i % 17, s: `s${i % 5}` }));
    const roots = [];
    for (const order of [docs, [...docs].reverse()]) {
      const { collection, commit } = memoryCollection();
      await collection.createIndex("n");
      for (const doc of order) await collection.insert(doc);
      roots.push(await commit());
    }
    expect(roots[0]?.root?.toString()).toBe(roots[1]?.root?.toString());
    expect(roots[0]?.indexes.n?.toString()).toBe(roots[1]?.indexes.n?.toString());
  });

  test("insert, get, update, delete, count; a duplicate _id is refused and changes nothing", async () => {
    const { collection, commit } = memoryCollection();
    const [id] = await collection.insert({ name: "ada", age: 36 });
    expect(id).toMatch(/^bafy/); // named by its hash, as the seed named documents
    await collection.insert({ _id: "bob", name: "bob", age: 41, tags: ["x"] });
    await expect(collection.insert([{ _id: "carl" }, { _id: "bob" }])).rejects.toThrow(/duplicate _id bob/);
    expect(await collection.count()).toBe(2);
    await commit();
    expect(await collection.get("bob")).toMatchObject({ name: "bob", age: 41 });
    expect(await collection.update({ name: "bob" }, { $inc: { age: 1 }, $push: { tags: "y" } })).toBe(1);
    expect(await collection.get("bob")).toMatchObject({ age: 42, tags: ["x", "y"] });
    await expect(collection.update({}, { name: "x" })).rejects.toThrow(/update operators/);
    expect(await collection.delete({ age: { $gt: 40 } })).toBe(1);
    await commit();
    expect(await collection.count()).toBe(1);
    expect(await collection.get("bob")).toBeUndefined();
    const found = await collection.find({}, { projection: { name: 1, _id: 0 } });
    expect(found).toEqual([{ name: "ada" }]);
  });

  test("an indexed find equals a full scan over 1,000 random filters", async () => {
    const rand = prng(11);
    const { collection, commit } = memoryCollection();
    for (const path of ["n", "s", "nested.v", "tags", "items.k"]) await collection.createIndex(path);
    const strings = ["a", "b", "c", "ab", "zz", ""];
    const value = () =>
      rand.pick([
        () => rand.int(-5, 20),
        () => rand.int(0, 10) / 4,
        () => rand.pick(strings),
        () => rand.next() < 0.5,
        () => null,
      ])();
    for (let i = 0; i < 1000; i += 1) {
      const doc: Record<string, unknown> = { _id: `k${i}` };
      if (rand.next() < 0.9) doc.n = value();
      if (rand.next() < 0.8) doc.s = rand.pick(strings);
      if (rand.next() < 0.6) doc.nested = { v: value() };
      if (rand.next() < 0.5) doc.tags = Array.from({ length: rand.int(0, 3) }, () => rand.pick(strings));
      if (rand.next() < 0.3)
        doc.items = Array.from({ length: rand.int(1, 3) }, () => ({ k: rand.int(0, 5) }));
      await collection.insert(doc);
    }
    await commit();
    let indexed = 0;
    for (let i = 0; i < 1000; i += 1) {
      const path = rand.pick(["n", "s", "nested.v", "tags", "items.k", "missing"]);
      const v = value();
      const filter = rand.pick([
        () => ({ [path]: v }),
        () => ({ [path]: { $eq: v } }),
        () => ({ [path]: { $in: [value(), value()] } }),
        () => ({ [path]: { [rand.pick(["$gt", "$gte", "$lt", "$lte"])]: v } }),
        () => ({ [path]: { $gt: rand.int(-5, 10), $lte: rand.int(0, 20) } }),
        () => ({ [path]: { $ne: v } }),
        () => ({ [path]: v, s: rand.pick(strings) }),
      ])();
      if (collection.plan(filter).index) indexed += 1;
      const viaIndex = (await collection.find(filter)).map((d) => d._id).sort();
      const viaScan = (await collection.find(filter, { hint: "scan" })).map((d) => d._id).sort();
      expect(viaIndex, JSON.stringify(filter)).toEqual(viaScan);
    }
    expect(indexed).toBeGreaterThan(500);
  });
});
