import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemoryDatastore } from "datastore-core/memory";
import type { Datastore } from "interface-datastore";
import { Registry } from "prom-client";
import { afterAll, afterEach, beforeAll, beforeEach, describe, it } from "vitest";
import { BloomBlockstore } from "./bloom-blockstore.ts";
import { DatastoreBlockstore } from "./datastore-blockstore.ts";
import { type DatastoreSpec, DEFAULT_DATASTORE_SPEC, DEFAULT_SHARD_FUNC } from "./datastore-spec.ts";
import { FlatfsDatastore } from "./flatfs-datastore.ts";
import { DatastoreMetrics, MeasuredDatastore } from "./measured-datastore.ts";
import { type OpenedDatastore, openDatastore } from "./open-datastore.ts";

// the suites are written for mocha's globals, and a test's `this` (only `timeout` is used)
const mochaContext = { timeout: () => undefined };
Object.assign(globalThis, {
  describe,
  it: (name: string, test: () => unknown) => it(name, () => test.call(mochaContext)),
  beforeEach,
  afterEach,
  before: beforeAll,
  after: afterAll,
});
const { interfaceDatastoreTests } = await import("interface-datastore-tests");
const { interfaceBlockstoreTests } = await import("interface-blockstore-tests");

/** Each store a spec can mount, and the mounted spec itself, opened in a fresh directory per test. */
function suiteFor<S>(open: (dir: string) => Promise<{ store: S; close: () => Promise<void> }>) {
  const opened = new Map<S, { dir: string; close: () => Promise<void> }>();
  return {
    async setup() {
      const dir = await mkdtemp(join(tmpdir(), "strata-conformance-"));
      const { store, close } = await open(dir);
      opened.set(store, { dir, close });
      return store;
    },
    async teardown(store: S) {
      const entry = opened.get(store);
      opened.delete(store);
      await entry?.close();
      if (entry) await rm(entry.dir, { recursive: true, force: true });
    },
  };
}

const openSpec = async (dir: string, spec: DatastoreSpec): Promise<OpenedDatastore> =>
  openDatastore(spec, { root: dir, metrics: new DatastoreMetrics(new Registry()) });

describe("interface-datastore conformance: flatfs", () => {
  interfaceDatastoreTests(
    suiteFor(async (dir) => {
      const store = new FlatfsDatastore(join(dir, "blocks"), { shardFunc: DEFAULT_SHARD_FUNC });
      await store.open();
      return { store, close: () => store.close() };
    }),
  );
});

describe("interface-datastore conformance: flatfs with sync and the prefix shard function", () => {
  interfaceDatastoreTests(
    suiteFor(async (dir) => {
      const store = new FlatfsDatastore(dir, { shardFunc: "/repo/flatfs/shard/v1/prefix/3", sync: true });
      await store.open();
      return { store, close: () => store.close() };
    }),
  );
});

describe("interface-datastore conformance: measure over mem", () => {
  interfaceDatastoreTests(
    suiteFor(async () => {
      const store = new MeasuredDatastore(
        new MemoryDatastore(),
        new DatastoreMetrics(new Registry()).store("mem", "/"),
      );
      return { store, close: async () => undefined };
    }),
  );
});

describe("interface-datastore conformance: kubo's default spec mounted (flatfs at /blocks, levelds at /)", () => {
  interfaceDatastoreTests(
    suiteFor<Datastore>(async (dir) => {
      const opened = await openSpec(dir, DEFAULT_DATASTORE_SPEC);
      return { store: opened.datastore, close: opened.close };
    }),
  );
});

describe("interface-datastore conformance: a spec mounting /z on flatfs, /q in memory and / on levelds", () => {
  const spec: DatastoreSpec = {
    type: "mount",
    mounts: [
      { mountpoint: "/", type: "levelds", path: "datastore" },
      { mountpoint: "/z", type: "flatfs", path: "z", shardFunc: "/repo/flatfs/shard/v1/suffix/1" },
      { mountpoint: "/q", type: "mem" },
    ],
  };
  interfaceDatastoreTests(
    suiteFor<Datastore>(async (dir) => {
      const opened = await openSpec(dir, spec);
      return { store: opened.datastore, close: opened.close };
    }),
  );
});

describe("interface-blockstore conformance: the blockstore over kubo's default spec", () => {
  interfaceBlockstoreTests(
    suiteFor(async (dir) => {
      const opened = await openSpec(dir, DEFAULT_DATASTORE_SPEC);
      return { store: new DatastoreBlockstore(opened.datastore), close: opened.close };
    }),
  );
});

describe("interface-blockstore conformance: the bloom-filtered blockstore, warm", () => {
  interfaceBlockstoreTests(
    suiteFor(async (dir) => {
      const opened = await openSpec(dir, DEFAULT_DATASTORE_SPEC);
      const store = new BloomBlockstore(new DatastoreBlockstore(opened.datastore), { bytes: 4096 });
      await store.rebuild();
      return { store, close: opened.close };
    }),
  );
});
