import { type Static, Type } from "@sinclair/typebox";

/**
 * A store's key prefix, which its entry in a mount's list carries beside the store's own fields
 * (the mount's list intersects it with the spec: without it here, every store's closed object
 * would refuse the entry). Anywhere else, `specProblems` reports it.
 */
const InMount = { mountpoint: Type.Optional(Type.String({ pattern: "^/" })) };

/**
 * The node's datastore as a tree of stores, shaped as kubo's `Datastore.Spec`: a `mount` of
 * stores by key prefix (the longest prefix wins), `measure` wrapping a store to count what it
 * does, `flatfs` (one file per value, sharded into directories: where blocks go), `levelds`
 * (LevelDB: everything else) and `mem` (in memory, lost at exit). Paths are relative to the data
 * directory, or absolute.
 */
export const DatastoreSpec = Type.Recursive(
  (Spec) =>
    Type.Union([
      Type.Object(
        {
          ...InMount,
          type: Type.Literal("mount"),
          mounts: Type.Array(
            Type.Intersect([Type.Object({ mountpoint: Type.String({ pattern: "^/" }) }), Spec]),
            {
              minItems: 1,
            },
          ),
        },
        { additionalProperties: false },
      ),
      Type.Object(
        {
          ...InMount,
          type: Type.Literal("measure"),
          /** The name the store's metrics carry (kubo: `flatfs.datastore`, `leveldb.datastore`). */
          prefix: Type.String({ minLength: 1 }),
          child: Spec,
        },
        { additionalProperties: false },
      ),
      Type.Object(
        {
          ...InMount,
          type: Type.Literal("flatfs"),
          path: Type.String({ minLength: 1 }),
          /** `/repo/flatfs/shard/v1/{next-to-last,prefix,suffix}/<n>`: the directory a key's file goes in. */
          shardFunc: Type.String({
            pattern: "^/repo/flatfs/shard/v1/(next-to-last|prefix|suffix)/[1-9][0-9]*$",
          }),
          /**
           * fsync every file and its directory before a put returns. The node syncs the file system
           * before it acknowledges anything, so this only matters to other writers.
           */
          sync: Type.Optional(Type.Boolean()),
        },
        { additionalProperties: false },
      ),
      Type.Object(
        {
          ...InMount,
          type: Type.Literal("levelds"),
          path: Type.String({ minLength: 1 }),
          compression: Type.Optional(Type.Union([Type.Literal("none"), Type.Literal("snappy")])),
        },
        { additionalProperties: false },
      ),
      Type.Object(
        { ...InMount, type: Type.Union([Type.Literal("mem"), Type.Literal("memory")]) },
        { additionalProperties: false },
      ),
    ]),
  { $id: "DatastoreSpec" },
);
export type DatastoreSpec = Static<typeof DatastoreSpec>;
/** A mount's entry: a store spec and the key prefix it holds. */
export type MountSpec = Extract<DatastoreSpec, { type: "mount" }>["mounts"][number];

/** kubo's default shard function: the two characters before the last of a block's key. */
export const DEFAULT_SHARD_FUNC = "/repo/flatfs/shard/v1/next-to-last/2";

/** kubo's default spec: blocks in a flat-file store at `/blocks`, the rest in LevelDB, both measured. */
export const DEFAULT_DATASTORE_SPEC: DatastoreSpec = {
  type: "mount",
  mounts: [
    {
      mountpoint: "/blocks",
      type: "measure",
      prefix: "flatfs.datastore",
      child: { type: "flatfs", path: "blocks", shardFunc: DEFAULT_SHARD_FUNC, sync: false },
    },
    {
      mountpoint: "/",
      type: "measure",
      prefix: "leveldb.datastore",
      child: { type: "levelds", path: "datastore", compression: "none" },
    },
  ],
};

/**
 * What of a spec fixes the layout on disk, in kubo's `datastore_spec` form: measures and options
 * that do not change where or how data is written are left out, mounts are in descending
 * mountpoint order (as kubo lists them), keys sorted. Two specs with the same disk spec open the
 * same data.
 */
export function diskSpec(spec: DatastoreSpec): Record<string, unknown> {
  switch (spec.type) {
    case "mount":
      return {
        mounts: spec.mounts
          .map((mount) => ({ mountpoint: mount.mountpoint, ...diskSpec(withoutMountpoint(mount)) }))
          // kubo lists them in descending mountpoint order (`/blocks` before `/`)
          .sort((a, b) => (a.mountpoint > b.mountpoint ? -1 : a.mountpoint < b.mountpoint ? 1 : 0)),
        type: "mount",
      };
    case "measure":
      return diskSpec(spec.child);
    case "flatfs":
      return { path: spec.path, shardFunc: spec.shardFunc, type: "flatfs" };
    case "levelds":
      return { path: spec.path, type: "levelds" };
    case "mem":
    case "memory":
      return { type: "mem" };
    default:
      // a store this node does not know (read from another program's datastore_spec): as written
      return spec as Record<string, unknown>;
  }
}

/** The disk spec as the one line `datastore_spec` holds (keys sorted at every level). */
export function diskSpecText(spec: DatastoreSpec): string {
  return JSON.stringify(sortKeys(diskSpec(spec)));
}

function withoutMountpoint(mount: MountSpec): DatastoreSpec {
  const { mountpoint: _, ...spec } = mount as MountSpec & Record<string, unknown>;
  return spec as DatastoreSpec;
}

/** The store under any measures. */
export function unmeasured(spec: DatastoreSpec): DatastoreSpec {
  return spec.type === "measure" ? unmeasured(spec.child) : spec;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

/** Every store of a spec with the mountpoint it serves (`/` for a spec without mounts). */
export function storesOf(
  spec: DatastoreSpec,
  mountpoint = "/",
): { mountpoint: string; spec: DatastoreSpec }[] {
  if (spec.type === "mount") {
    return spec.mounts.flatMap((mount) => storesOf(withoutMountpoint(mount), mount.mountpoint));
  }
  return [{ mountpoint, spec }];
}

/**
 * What the schema cannot say: mounts only at the top, mountpoints and paths each used once.
 * Returns the problems found, empty when the spec is sound.
 */
export function specProblems(spec: DatastoreSpec): string[] {
  const problems: string[] = [];
  const nested = (node: DatastoreSpec, top: boolean): void => {
    if ("mountpoint" in node) problems.push(`mountpoint ${node.mountpoint} is outside a mount's list`);
    if (node.type === "mount") {
      if (!top) problems.push("a mount may only be the spec's root");
      for (const mount of node.mounts) nested(withoutMountpoint(mount), false);
    } else if (node.type === "measure") nested(node.child, false);
  };
  nested(spec, true);
  const stores = storesOf(spec);
  const mountpoints = stores.map((store) => store.mountpoint.replace(/(.)\/+$/, "$1"));
  for (const [index, mountpoint] of mountpoints.entries()) {
    if (mountpoints.indexOf(mountpoint) !== index) problems.push(`mountpoint ${mountpoint} is used twice`);
  }
  const paths = stores.flatMap(({ spec: store }) => {
    const leaf = unmeasured(store);
    return "path" in leaf ? [leaf.path] : [];
  });
  for (const [index, path] of paths.entries()) {
    if (paths.indexOf(path) !== index) problems.push(`path ${path} is used by two stores`);
  }
  return problems;
}
