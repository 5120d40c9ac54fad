import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { base32upper } from "multiformats/bases/base32";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { blockPath } from "./datastore-blockstore.ts";
import { DEFAULT_SHARD_FUNC } from "./datastore-spec.ts";
import { writeShardingFiles } from "./flatfs-datastore.ts";
import { moveLegacyBlocks } from "./legacy-blocks.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "strata-legacy-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const blocks = (count: number) =>
  Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const bytes = new TextEncoder().encode(`legacy block ${i}`);
      return { cid: CID.createV1(raw.code, await sha256.digest(bytes)), bytes };
    }),
  );

/** Where the layout before the datastore spec kept a block: `<last two>/B<multihash>.data`. */
const legacyPath = (cid: CID) => {
  const name = `B${base32upper.baseEncode(cid.multihash.bytes)}`;
  return join(dir, name.slice(-2), `${name}.data`);
};

const filesUnder = async (path: string) =>
  (await readdir(path, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();

describe("moveLegacyBlocks", () => {
  test("moves every block of the old layout to where the flat-file store keeps it", async () => {
    const stored = await blocks(40);
    for (const { cid, bytes } of stored) {
      await mkdir(join(legacyPath(cid), ".."), { recursive: true });
      await writeFile(legacyPath(cid), bytes);
    }
    expect(await moveLegacyBlocks(dir, DEFAULT_SHARD_FUNC)).toBe(stored.length);
    for (const { cid, bytes } of stored) {
      expect(new Uint8Array(await readFile(blockPath(dir, cid)))).toEqual(bytes);
    }
    expect(await filesUnder(dir)).toEqual(stored.map(({ cid }) => blockPath(dir, cid)).sort());
  });

  test("drops what an interrupted write left in the old layout", async () => {
    const [block] = (await blocks(1)) as [{ cid: CID; bytes: Uint8Array }];
    await mkdir(join(legacyPath(block.cid), ".."), { recursive: true });
    await writeFile(legacyPath(block.cid), block.bytes);
    await writeFile(`${join(legacyPath(block.cid), "..")}/.half.tmp`, "x");
    expect(await moveLegacyBlocks(dir, DEFAULT_SHARD_FUNC)).toBe(1);
    expect(await filesUnder(dir)).toEqual([blockPath(dir, block.cid)]);
  });

  test("a move interrupted part-way is finished by the next one", async () => {
    const stored = await blocks(20);
    for (const [i, { cid, bytes }] of stored.entries()) {
      // the first half already moved when the node stopped
      const path = i < 10 ? blockPath(dir, cid) : legacyPath(cid);
      await mkdir(join(path, ".."), { recursive: true });
      await writeFile(path, bytes);
    }
    expect(await moveLegacyBlocks(dir, DEFAULT_SHARD_FUNC)).toBe(10);
    expect(await filesUnder(dir)).toEqual(stored.map(({ cid }) => blockPath(dir, cid)).sort());
  });

  test("a store with a SHARDING file is left alone", async () => {
    await writeShardingFiles(dir, DEFAULT_SHARD_FUNC);
    const [block] = (await blocks(1)) as [{ cid: CID; bytes: Uint8Array }];
    await mkdir(join(legacyPath(block.cid), ".."), { recursive: true });
    await writeFile(legacyPath(block.cid), block.bytes);
    const before = await filesUnder(dir);
    expect(await moveLegacyBlocks(dir, DEFAULT_SHARD_FUNC)).toBe(0);
    expect(await filesUnder(dir)).toEqual(before);
  });

  test("a missing directory moves nothing", async () => {
    expect(await moveLegacyBlocks(join(dir, "absent"), DEFAULT_SHARD_FUNC)).toBe(0);
  });
});
