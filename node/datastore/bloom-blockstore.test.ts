import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import { Registry } from "prom-client";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { BloomBlockstore } from "./bloom-blockstore.ts";
import { DatastoreBlockstore } from "./datastore-blockstore.ts";
import { DEFAULT_DATASTORE_SPEC } from "./datastore-spec.ts";
import { DatastoreMetrics } from "./measured-datastore.ts";
import { type OpenedDatastore, openDatastore } from "./open-datastore.ts";

let dir: string;
let opened: OpenedDatastore;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "strata-bloom-"));
  opened = await openDatastore(DEFAULT_DATASTORE_SPEC, {
    root: dir,
    metrics: new DatastoreMetrics(new Registry()),
  });
});
afterEach(async () => {
  await opened.close();
  await rm(dir, { recursive: true, force: true });
});

const blockOf = async (text: string) => {
  const bytes = new TextEncoder().encode(text);
  return { cid: CID.createV1(raw.code, await sha256.digest(bytes)), bytes };
};

/** `has` calls that reached the flat-file store at `/blocks`. */
const storeHas = () => {
  const blocks = opened.stores.find((store) => store.mountpoint === "/blocks");
  if (!blocks?.measure) throw new Error("the default spec measures /blocks");
  return blocks.measure.count("has");
};

/** A blockstore whose listing is taken at once but handed over only when `release` is called. */
class HeldListing extends DatastoreBlockstore {
  release: () => void = () => undefined;
  readonly #released = new Promise<void>((resolve) => {
    this.release = resolve;
  });
  listed = false;

  override async *cids(options?: { signal?: AbortSignal }) {
    const cids: CID[] = [];
    for await (const cid of super.cids(options)) cids.push(cid);
    this.listed = true;
    await this.#released;
    yield* cids;
  }
}

describe("BloomBlockstore", () => {
  test("before a rebuild every has goes to the store", async () => {
    const blockstore = new BloomBlockstore(new DatastoreBlockstore(opened.datastore), { bytes: 16 * 1024 });
    const absent = await blockOf("absent");
    const before = storeHas();
    expect(await blockstore.has(absent.cid)).toBe(false);
    expect(storeHas()).toBe(before + 1);
    expect(blockstore.stats()).toMatchObject({ warm: false, answered: 0, passed: 1, rebuilds: 0 });
  });

  test("once rebuilt, absent blocks are answered from memory and present ones by the store", async () => {
    const blockstore = new BloomBlockstore(new DatastoreBlockstore(opened.datastore), { bytes: 16 * 1024 });
    const present = await Promise.all(Array.from({ length: 50 }, (_, i) => blockOf(`present ${i}`)));
    for (const { cid, bytes } of present) await blockstore.put(cid, bytes);
    await blockstore.rebuild();

    const absent = await Promise.all(Array.from({ length: 20 }, (_, i) => blockOf(`absent ${i}`)));
    const before = storeHas();
    for (const { cid } of absent) expect(await blockstore.has(cid)).toBe(false);
    expect(storeHas()).toBe(before);
    for (const { cid } of present) expect(await blockstore.has(cid)).toBe(true);
    expect(storeHas()).toBe(before + present.length);
    expect(blockstore.stats()).toMatchObject({
      warm: true,
      answered: absent.length,
      passed: present.length,
      rebuilds: 1,
    });
    expect(blockstore.stats().fillRatio).toBeGreaterThan(0);
  });

  test("a block put while a rebuild lists the store is found after it", async () => {
    const inner = new HeldListing(opened.datastore);
    const blockstore = new BloomBlockstore(inner, { bytes: 16 * 1024 });
    const early = await blockOf("early");
    await blockstore.put(early.cid, early.bytes);
    const rebuilding = blockstore.rebuild();
    await expect.poll(() => inner.listed).toBe(true);
    // not in the listing the rebuild is about to use
    const late = await blockOf("late");
    await blockstore.put(late.cid, late.bytes);
    inner.release();
    await rebuilding;
    expect(blockstore.stats().warm).toBe(true);
    const before = storeHas();
    expect(await blockstore.has(early.cid)).toBe(true);
    expect(await blockstore.has(late.cid)).toBe(true);
    expect(storeHas()).toBe(before + 2);
  });

  test("a block whose put started before the rebuild is found after it", async () => {
    const blockstore = new BloomBlockstore(new DatastoreBlockstore(opened.datastore), { bytes: 16 * 1024 });
    const blocks = await Promise.all(Array.from({ length: 20 }, (_, i) => blockOf(`racing ${i}`)));
    const putting = Promise.all(blocks.map(({ cid, bytes }) => blockstore.put(cid, bytes)));
    await blockstore.rebuild();
    await putting;
    for (const { cid } of blocks) expect(await blockstore.has(cid)).toBe(true);
    expect(blockstore.stats().answered).toBe(0);
  });
});
