import { isAbsolute, join } from "node:path";
import { MemoryDatastore } from "datastore-core/memory";
import { LevelDatastore } from "datastore-level";
import type { Datastore } from "interface-datastore";
import type { DatastoreSpec } from "./datastore-spec.ts";
import { type DiskUsage, emptyUsage, measureDirectory } from "./disk-usage.ts";
import { FlatfsDatastore } from "./flatfs-datastore.ts";
import { type DatastoreMetrics, MeasuredDatastore, type StoreMeasure } from "./measured-datastore.ts";
import { MountedDatastore } from "./mounted-datastore.ts";

/** One store of the spec, opened: what it is, where it lives, and what it takes on disk. */
export interface OpenedStore {
  mountpoint: string;
  type: "flatfs" | "levelds" | "mem";
  /** Its directory (none in memory). */
  path: string | undefined;
  /** The store itself, under any measure. */
  store: Datastore;
  /** What a `measure` above it counted, if one is. */
  measure: StoreMeasure | undefined;
  /** Bytes, files and directories on disk (kept current for flatfs, walked for LevelDB). */
  usage(options?: { signal?: AbortSignal }): Promise<DiskUsage>;
  /** The store's own count, for a store that keeps one as it writes (flatfs). */
  counted?: () => DiskUsage;
  /** Values the store holds, for a store that counts them (flatfs). */
  entries?: () => number;
  /** Bytes its deletes gave back since it opened, for a store that counts them (flatfs). */
  freedBytes?: () => number;
}

export interface OpenedDatastore {
  /** The spec's root: what the node and Helia read and write. */
  datastore: Datastore;
  stores: OpenedStore[];
  close(): Promise<void>;
}

/**
 * Opens the stores a datastore spec describes, paths taken relative to `root`. A store that
 * fails to open closes the ones opened before it.
 */
export async function openDatastore(
  spec: DatastoreSpec,
  options: { root: string; metrics: DatastoreMetrics; signal?: AbortSignal },
): Promise<OpenedDatastore> {
  const stores: OpenedStore[] = [];
  const closers: (() => Promise<void>)[] = [];
  const build = async (
    node: DatastoreSpec,
    mountpoint: string,
    measure?: StoreMeasure,
  ): Promise<Datastore> => {
    switch (node.type) {
      case "mount": {
        const mounts = [];
        for (const { mountpoint: at, ...child } of node.mounts) {
          mounts.push({ mountpoint: at, store: await build(child as DatastoreSpec, at) });
        }
        return new MountedDatastore(mounts);
      }
      case "measure": {
        const measured = options.metrics.store(node.prefix, mountpoint);
        return new MeasuredDatastore(await build(node.child, mountpoint, measured), measured);
      }
      case "flatfs": {
        const path = resolvePath(options.root, node.path);
        const store = new FlatfsDatastore(path, { shardFunc: node.shardFunc, sync: node.sync });
        await store.open(options);
        closers.push(() => store.close());
        stores.push({
          mountpoint,
          type: "flatfs",
          path,
          store,
          measure,
          usage: async () => store.usage(),
          counted: () => store.usage(),
          entries: () => store.entries,
          freedBytes: () => store.freedBytes,
        });
        return store;
      }
      case "levelds": {
        const path = resolvePath(options.root, node.path);
        const store = new LevelDatastore(path, { compression: node.compression === "snappy" });
        await store.open();
        closers.push(() => store.close());
        stores.push({
          mountpoint,
          type: "levelds",
          path,
          store,
          measure,
          usage: (o) => measureDirectory(path, o),
        });
        return store;
      }
      default: {
        const store = new MemoryDatastore();
        stores.push({
          mountpoint,
          type: "mem",
          path: undefined,
          store,
          measure,
          usage: async () => emptyUsage(),
        });
        return store;
      }
    }
  };
  const close = async () => {
    for (const closer of closers.reverse()) await closer();
  };
  try {
    const datastore = await build(spec, "/");
    return { datastore, stores, close };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}

/** A store's directory: `path` itself if absolute, else inside the data directory. */
export function resolvePath(root: string, path: string): string {
  return isAbsolute(path) ? path : join(root, path);
}
