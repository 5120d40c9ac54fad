import { Value } from "@sinclair/typebox/value";
import { describe, expect, test } from "vitest";
import {
  DatastoreSpec,
  DEFAULT_DATASTORE_SPEC,
  DEFAULT_SHARD_FUNC,
  diskSpecText,
  specProblems,
} from "./datastore-spec.ts";

/** kubo's `datastore_spec` for its default (flatfs) profile, byte for byte. */
const KUBO_DATASTORE_SPEC =
  '{"mounts":[{"mountpoint":"/blocks","path":"blocks","shardFunc":"/repo/flatfs/shard/v1/next-to-last/2","type":"flatfs"},{"mountpoint":"/","path":"datastore","type":"levelds"}],"type":"mount"}';

/** The default spec without measures, mounts listed `/` first, and with sync on. */
const bareSpec = (options: { shardFunc?: string; blocksPath?: string } = {}): DatastoreSpec => ({
  type: "mount",
  mounts: [
    { mountpoint: "/", type: "levelds", path: "datastore" },
    {
      mountpoint: "/blocks",
      type: "flatfs",
      path: options.blocksPath ?? "blocks",
      shardFunc: options.shardFunc ?? DEFAULT_SHARD_FUNC,
      sync: true,
    },
  ],
});

describe("diskSpecText", () => {
  test("the default spec's disk spec is kubo's datastore_spec", () => {
    expect(diskSpecText(DEFAULT_DATASTORE_SPEC)).toBe(KUBO_DATASTORE_SPEC);
  });

  test("mount order, measures and sync do not change the disk spec", () => {
    expect(diskSpecText(bareSpec())).toBe(diskSpecText(DEFAULT_DATASTORE_SPEC));
  });

  test("another shard function changes the disk spec", () => {
    expect(diskSpecText(bareSpec({ shardFunc: "/repo/flatfs/shard/v1/prefix/2" }))).not.toBe(
      KUBO_DATASTORE_SPEC,
    );
  });

  test("another path changes the disk spec", () => {
    expect(diskSpecText(bareSpec({ blocksPath: "blocks2" }))).not.toBe(KUBO_DATASTORE_SPEC);
  });
});

describe("specProblems", () => {
  test("the default spec has none", () => {
    expect(specProblems(DEFAULT_DATASTORE_SPEC)).toEqual([]);
  });

  test("a mountpoint used twice is reported", () => {
    const problems = specProblems({
      type: "mount",
      mounts: [
        { mountpoint: "/blocks", type: "mem" },
        { mountpoint: "/blocks/", type: "mem" },
      ],
    });
    expect(problems).toEqual([expect.stringContaining("mountpoint /blocks is used twice")]);
  });

  test("a path used by two stores is reported", () => {
    const problems = specProblems({
      type: "mount",
      mounts: [
        { mountpoint: "/blocks", type: "flatfs", path: "data", shardFunc: DEFAULT_SHARD_FUNC },
        { mountpoint: "/", type: "levelds", path: "data" },
      ],
    });
    expect(problems).toEqual([expect.stringContaining("path data is used by two stores")]);
  });

  test("a mountpoint outside a mount's list is reported", () => {
    const problems = specProblems({
      type: "measure",
      prefix: "m",
      child: { mountpoint: "/blocks", type: "mem" },
    });
    expect(problems).toEqual([expect.stringContaining("mountpoint /blocks is outside a mount's list")]);
  });

  test("a mount below the root is reported", () => {
    const problems = specProblems({
      type: "mount",
      mounts: [
        {
          mountpoint: "/",
          type: "measure",
          prefix: "inner",
          child: { type: "mount", mounts: [{ mountpoint: "/x", type: "mem" }] },
        },
      ],
    });
    expect(problems).toEqual([expect.stringContaining("a mount may only be the spec's root")]);
  });
});

describe("DatastoreSpec schema", () => {
  test("accepts the default spec", () => {
    expect(Value.Check(DatastoreSpec, DEFAULT_DATASTORE_SPEC)).toBe(true);
  });

  test("accepts every store as a mount's entry, and refuses an unknown field there", () => {
    const entries = [
      { mountpoint: "/a", type: "mem" },
      { mountpoint: "/b", type: "levelds", path: "b" },
      { mountpoint: "/c", type: "flatfs", path: "c", shardFunc: DEFAULT_SHARD_FUNC },
      { mountpoint: "/", type: "measure", prefix: "m", child: { type: "mem" } },
    ];
    expect(Value.Check(DatastoreSpec, { type: "mount", mounts: entries })).toBe(true);
    expect(
      Value.Check(DatastoreSpec, { type: "mount", mounts: [{ mountpoint: "/", type: "mem", size: 1 }] }),
    ).toBe(false);
  });

  test("refuses a store type it does not know", () => {
    expect(Value.Check(DatastoreSpec, { type: "badgerds", path: "badger" })).toBe(false);
    expect(
      Value.Check(DatastoreSpec, {
        type: "mount",
        mounts: [{ mountpoint: "/", type: "badgerds", path: "b" }],
      }),
    ).toBe(false);
  });

  test("refuses a malformed shard function", () => {
    for (const shardFunc of [
      "/repo/flatfs/shard/v1/next-to-last/0",
      "/repo/flatfs/shard/v1/middle/2",
      "next-to-last/2",
      "/repo/flatfs/shard/v1/next-to-last/2/",
    ]) {
      expect(Value.Check(DatastoreSpec, { type: "flatfs", path: "blocks", shardFunc }), shardFunc).toBe(
        false,
      );
    }
    expect(
      Value.Check(DatastoreSpec, { type: "flatfs", path: "blocks", shardFunc: DEFAULT_SHARD_FUNC }),
    ).toBe(true);
  });
});
