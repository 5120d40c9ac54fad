import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Key } from "interface-datastore";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { blockName } from "./datastore-blockstore.ts";
import { DEFAULT_SHARD_FUNC } from "./datastore-spec.ts";
import { FlatfsDatastore } from "./flatfs-datastore.ts";

let dir: string;
const opened: FlatfsDatastore[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "strata-flatfs-"));
});
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close().catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

async function openStore(shardFunc = DEFAULT_SHARD_FUNC): Promise<FlatfsDatastore> {
  const store = new FlatfsDatastore(dir, { shardFunc });
  await store.open();
  opened.push(store);
  return store;
}

/** A block key as kubo writes it: `/` and the base32 multihash (`/CIQ...`). */
const blockKeyOf = async (seed: number) =>
  blockName(CID.createV1(raw.code, await sha256.digest(new TextEncoder().encode(`block ${seed}`))));

/** The bytes `du -sB1` counts in `path`. */
const du = (path: string) => Number(execFileSync("du", ["-sB1", path], { encoding: "utf8" }).split("\t")[0]);

describe("FlatfsDatastore", () => {
  test("a block key's value is the file <next-to-last two characters>/<NAME>.data", async () => {
    const store = await openStore();
    const key = await blockKeyOf(1);
    const name = key.toString().slice(1);
    expect(name).toMatch(/^CIQ[A-Z2-7]+$/);
    await store.put(key, Uint8Array.of(1, 2, 3));
    expect(await readFile(join(dir, name.slice(-3, -1), `${name}.data`))).toEqual(Buffer.from([1, 2, 3]));
    expect(await readFile(join(dir, "SHARDING"), "utf8")).toBe(`${DEFAULT_SHARD_FUNC}\n`);
    expect((await stat(join(dir, "_README"))).isFile()).toBe(true);
  });

  test("a store sharded otherwise is refused, and nothing is written", async () => {
    const store = await openStore();
    await store.put(await blockKeyOf(1), Uint8Array.of(1));
    await store.close();
    opened.splice(0);
    const before = (await readdir(dir, { recursive: true })).sort();
    const other = new FlatfsDatastore(dir, { shardFunc: "/repo/flatfs/shard/v1/prefix/2" });
    const error = await other.open().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: "ShardFunctionMismatchError", code: "NODE_ERR_DATASTORE_SPEC" });
    expect((await readdir(dir, { recursive: true })).sort()).toEqual(before);
    expect(await readFile(join(dir, "SHARDING"), "utf8")).toBe(`${DEFAULT_SHARD_FUNC}\n`);
  });

  test("usage is what du counts, after puts and deletes, a clean reopen and a crash", async () => {
    const store = await openStore();
    const keys = await Promise.all(Array.from({ length: 300 }, (_, i) => blockKeyOf(i)));
    for (const [i, key] of keys.entries())
      await store.put(key, new Uint8Array(1 + ((i * 997) % 9000)).fill(i));
    // overwritten with another size
    await store.put(keys[0] as Key, new Uint8Array(20_000));
    for (const key of keys.slice(200)) await store.delete(key);
    expect(store.usage().bytes).toBe(du(dir));
    expect(store.entries).toBe(200);

    await store.close();
    opened.splice(0);
    expect((await stat(join(dir, "diskUsage.cache"))).isFile()).toBe(true);
    const reopened = await openStore();
    // read once: a crash from here on leaves no count behind
    await expect(stat(join(dir, "diskUsage.cache"))).rejects.toMatchObject({ code: "ENOENT" });
    expect(reopened.usage()).toEqual(store.usage());
    expect(reopened.usage().bytes).toBe(du(dir));
    expect(reopened.entries).toBe(200);

    // a crash: the next open finds no saved usage and walks
    await reopened.put(await blockKeyOf(1000), new Uint8Array(5000));
    const afterCrash = new FlatfsDatastore(dir, { shardFunc: DEFAULT_SHARD_FUNC });
    await afterCrash.open();
    opened.push(afterCrash);
    expect(afterCrash.usage().bytes).toBe(du(dir));
    expect(afterCrash.entries).toBe(201);
  });

  test("usage counts a shard directory as it grows", async () => {
    const store = await openStore();
    // long names all in shard AB: the directory needs more than one block of entries
    for (let i = 0; i < 400; i++)
      await store.put(new Key(`/CIQ${String(i).padStart(60, "0")}ABZ`), Uint8Array.of(i));
    expect((await stat(join(dir, "AB"))).blocks * 512).toBeGreaterThan(4096);
    expect(store.usage().bytes).toBe(du(dir));
  });

  test("usage is what du counts after concurrent puts", async () => {
    const store = await openStore();
    const keys = await Promise.all(Array.from({ length: 200 }, (_, i) => blockKeyOf(i)));
    await Promise.all(keys.map((key, i) => store.put(key, new Uint8Array(100 + i * 50))));
    expect(store.usage().bytes).toBe(du(dir));
    expect(store.entries).toBe(200);
  });

  test("a leftover temporary file is removed on open", async () => {
    const store = await openStore();
    const key = await blockKeyOf(1);
    await store.put(key, Uint8Array.of(1));
    await store.close();
    opened.splice(0);
    const shard = key.toString().slice(-3, -1);
    const leftover = join(dir, shard, `.${key.toString().slice(1)}.data.7.tmp`);
    await writeFile(leftover, "half a value");
    await mkdir(join(dir, "ZZ"));
    await writeFile(join(dir, "ZZ", ".other.tmp"), "x");
    const reopened = await openStore();
    await expect(stat(leftover)).rejects.toMatchObject({ code: "ENOENT" });
    await expect(stat(join(dir, "ZZ", ".other.tmp"))).rejects.toMatchObject({ code: "ENOENT" });
    expect(reopened.usage().bytes).toBe(du(dir));
    expect(reopened.entries).toBe(1);
  });

  test("a put that fails part-way leaves no file behind and changes no count", async () => {
    const store = await openStore();
    await store.put(await blockKeyOf(1), Uint8Array.of(1));
    const key = await blockKeyOf(2);
    const before = { usage: store.usage(), entries: store.entries };
    // a value the write cannot take fails after the temporary file is open
    await expect(store.put(key, 42 as unknown as Uint8Array)).rejects.toMatchObject({
      code: "ERR_PUT_FAILED",
    });
    const shard = key.toString().slice(-3, -1);
    expect((await readdir(join(dir, shard)).catch(() => [])).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    expect(await store.has(key)).toBe(false);
    expect(store.entries).toBe(before.entries);
    expect(store.usage().files).toBe(before.usage.files);
    // the shard directory it made stays (as go-ds-flatfs's do), counted as du counts it
    expect(store.usage().bytes).toBe(du(dir));
  });

  test("lower-case and nested keys round-trip", async () => {
    const store = await openStore();
    const keys = ["/pins/abc", "/a/b/c/d", "/lower", "/With Space/ü"].map((text) => new Key(text));
    for (const [i, key] of keys.entries()) await store.put(key, Uint8Array.of(i));
    for (const [i, key] of keys.entries()) expect(await store.get(key)).toEqual(Uint8Array.of(i));
    const listed: string[] = [];
    for await (const key of store.queryKeys({})) listed.push(key.toString());
    expect(listed.sort()).toEqual(keys.map(String).sort());
    const pins: string[] = [];
    for await (const key of store.queryKeys({ prefix: "/pins/" })) pins.push(key.toString());
    expect(pins).toEqual(["/pins/abc"]);
  });
});
