import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { type DatastoreSpec, DEFAULT_DATASTORE_SPEC, diskSpecText } from "./datastore-spec.ts";
import { checkSpecOnDisk, SPEC_FILE } from "./spec-on-disk.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "strata-spec-on-disk-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const prefixSharded: DatastoreSpec = {
  type: "mount",
  mounts: [
    { mountpoint: "/blocks", type: "flatfs", path: "blocks", shardFunc: "/repo/flatfs/shard/v1/prefix/2" },
    { mountpoint: "/", type: "levelds", path: "datastore" },
  ],
};

describe("checkSpecOnDisk", () => {
  test("records the spec in a directory without one", async () => {
    expect(await checkSpecOnDisk(dir, DEFAULT_DATASTORE_SPEC)).toBe("created");
    expect(await readFile(join(dir, SPEC_FILE), "utf8")).toBe(`${diskSpecText(DEFAULT_DATASTORE_SPEC)}\n`);
  });

  test("the same spec again matches", async () => {
    await checkSpecOnDisk(dir, DEFAULT_DATASTORE_SPEC);
    expect(await checkSpecOnDisk(dir, DEFAULT_DATASTORE_SPEC)).toBe("matched");
  });

  test("another shard function is refused with one line naming both specs", async () => {
    await checkSpecOnDisk(dir, DEFAULT_DATASTORE_SPEC);
    const error = await checkSpecOnDisk(dir, prefixSharded).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "NODE_ERR_DATASTORE_SPEC" });
    const { message } = error as Error;
    expect(message).not.toContain("\n");
    expect(message).toContain(diskSpecText(DEFAULT_DATASTORE_SPEC));
    expect(message).toContain(diskSpecText(prefixSharded));
    // the file is left as it was
    expect(await readFile(join(dir, SPEC_FILE), "utf8")).toBe(`${diskSpecText(DEFAULT_DATASTORE_SPEC)}\n`);
  });

  test("a spec file written with its keys in another order still matches", async () => {
    const written = {
      type: "mount",
      mounts: [
        { type: "levelds", path: "datastore", mountpoint: "/" },
        {
          type: "flatfs",
          shardFunc: "/repo/flatfs/shard/v1/next-to-last/2",
          path: "blocks",
          mountpoint: "/blocks",
        },
      ],
    };
    await writeFile(join(dir, SPEC_FILE), `${JSON.stringify(written)}\n`);
    expect(await checkSpecOnDisk(dir, DEFAULT_DATASTORE_SPEC)).toBe("matched");
  });
});
