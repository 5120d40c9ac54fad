import { describe, expect, test } from "vitest";
import { type NodeConfig, nodeConfigDefaults, parseNodeConfig } from "./config.ts";
import { DEFAULT_DATASTORE_SPEC } from "./datastore/datastore-spec.ts";

const base = {
  ...nodeConfigDefaults,
  rpcUrl: "http://127.0.0.1:8545",
  deploymentFile: "deployment.json",
  nodeId: 1,
  signerKey: `0x${"11".repeat(32)}`,
  dataDir: "/tmp/node",
};
const withSpec = (spec: unknown) => ({ ...base, storage: { ...base.storage, spec } });

describe("storage.spec in the node configuration", () => {
  test("kubo's default spec is taken as it is", () => {
    const config: NodeConfig = parseNodeConfig(withSpec(DEFAULT_DATASTORE_SPEC));
    expect(config.storage.spec).toEqual(DEFAULT_DATASTORE_SPEC);
  });

  test("a spec with no store at / is refused, saying why", () => {
    const spec = { type: "mount", mounts: [{ mountpoint: "/blocks", type: "mem" }] };
    expect(() => parseNodeConfig(withSpec(spec))).toThrow(/\/storage\/spec: no store is mounted at \//);
  });

  test("two stores at one mountpoint are refused", () => {
    const spec = {
      type: "mount",
      mounts: [
        { mountpoint: "/", type: "mem" },
        { mountpoint: "/", type: "levelds", path: "datastore" },
      ],
    };
    expect(() => parseNodeConfig(withSpec(spec))).toThrow(/mountpoint \/ is used twice/);
  });

  test("an unknown store type or shard function is refused by the schema", () => {
    expect(() => parseNodeConfig(withSpec({ type: "badgerds", path: "badger" }))).toThrow(
      /invalid node configuration/,
    );
    const badShard = { type: "flatfs", path: "blocks", shardFunc: "/repo/flatfs/shard/v1/middle/2" };
    expect(() => parseNodeConfig(withSpec(badShard))).toThrow(/invalid node configuration/);
  });
});
