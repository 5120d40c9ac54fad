import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { base32upper } from "multiformats/bases/base32";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import { afterEach, describe, expect, test } from "vitest";
import { blockPath } from "../datastore/datastore-blockstore.ts";
import { initNode, readPeerId } from "./init-node.ts";

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});
const dataDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), "strata-init-node-"));
  dirs.push(dir);
  return dir;
};
const options = (dir: string, extra?: Record<string, unknown>) => ({
  dataDir: dir,
  rpcUrl: "http://127.0.0.1:8545",
  deploymentFile: "deployment.json",
  httpPort: 9100,
  p2pPort: 4001,
  ...(extra ? { extra } : {}),
});

describe("strata node init", () => {
  test("writes datastore_spec, the block store's SHARDING and _README, and a README of the directory", async () => {
    const dir = await dataDir();
    const init = await initNode(options(dir));
    expect((await readFile(join(dir, "datastore_spec"), "utf8")).trim()).toBe(
      '{"mounts":[{"mountpoint":"/blocks","path":"blocks","shardFunc":"/repo/flatfs/shard/v1/next-to-last/2","type":"flatfs"},{"mountpoint":"/","path":"datastore","type":"levelds"}],"type":"mount"}',
    );
    expect(await readFile(join(dir, "blocks", "SHARDING"), "utf8")).toBe(
      "/repo/flatfs/shard/v1/next-to-last/2\n",
    );
    expect(await readFile(join(dir, "blocks", "_README"), "utf8")).toContain("next-to-last");
    const readme = await readFile(join(dir, "README"), "utf8");
    expect(readme).toContain("datastore_spec");
    expect(readme).toContain("blocks/: keys under /blocks (every block)");
    // the peer id lives in the spec's datastore and stays the same
    expect(await readPeerId(dir)).toBe(init.peerId);
  });

  test("a configured spec is laid out as given", async () => {
    const dir = await dataDir();
    const spec = {
      type: "mount",
      mounts: [
        { mountpoint: "/blocks", type: "flatfs", path: "flat", shardFunc: "/repo/flatfs/shard/v1/prefix/3" },
        { mountpoint: "/", type: "levelds", path: "level" },
      ],
    };
    await initNode(options(dir, { storage: { spec } }));
    expect(await readFile(join(dir, "flat", "SHARDING"), "utf8")).toBe("/repo/flatfs/shard/v1/prefix/3\n");
    expect(await readFile(join(dir, "datastore_spec"), "utf8")).toContain('"path":"flat"');
  });

  test("init again with another shard function is refused, and the directory keeps its layout", async () => {
    const dir = await dataDir();
    await initNode(options(dir));
    const spec = {
      type: "mount",
      mounts: [
        {
          mountpoint: "/blocks",
          type: "flatfs",
          path: "blocks",
          shardFunc: "/repo/flatfs/shard/v1/next-to-last/3",
        },
        { mountpoint: "/", type: "levelds", path: "datastore" },
      ],
    };
    await expect(initNode(options(dir, { storage: { spec } }))).rejects.toMatchObject({
      code: "NODE_ERR_DATASTORE_SPEC",
    });
    expect(await readFile(join(dir, "blocks", "SHARDING"), "utf8")).toBe(
      "/repo/flatfs/shard/v1/next-to-last/2\n",
    );
  });

  test("init over a directory from before the spec moves its blocks into the flatfs layout first", async () => {
    const dir = await dataDir();
    const bytes = new Uint8Array([7, 7, 7]);
    const cid = CID.createV1(raw.code, await sha256.digest(bytes));
    // the old layout: the multibase prefix kept in the name, sharded by its last two characters
    const old = `B${base32upper.baseEncode(cid.multihash.bytes)}`;
    await mkdir(join(dir, "blocks", old.slice(-2)), { recursive: true });
    await writeFile(join(dir, "blocks", old.slice(-2), `${old}.data`), bytes);
    await initNode(options(dir));
    expect(await readFile(blockPath(join(dir, "blocks"), cid))).toEqual(Buffer.from(bytes));
  });
});
