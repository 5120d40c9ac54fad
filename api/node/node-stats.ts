import { type Static, Type } from "@sinclair/typebox";

/** What GET /stats answers: what the node stores, caches, serves and proves. */
export const NodeStats = Type.Object({
  nodeId: Type.Integer(),
  peerId: Type.String(),
  uptimeSeconds: Type.Integer(),
  storage: Type.Object({
    max: Type.Integer(),
    heldBytes: Type.Integer(),
    cachedBytes: Type.Integer(),
    pinnedBlobs: Type.Integer(),
    droppedBlobs: Type.Integer({
      description: "Held blobs the chain dropped this node from: kept and served, no longer paid",
    }),
  }),
  cache: Type.Object({
    policy: Type.String(),
    capacity: Type.Integer(),
    entries: Type.Integer(),
    bytes: Type.Integer(),
    hits: Type.Integer(),
    misses: Type.Integer(),
    evictions: Type.Integer(),
    expirations: Type.Integer(),
  }),
  uploads: Type.Object({ count: Type.Integer(), bytes: Type.Integer(), refused: Type.Integer() }),
  reads: Type.Object({ count: Type.Integer(), bytes: Type.Integer() }),
  proofs: Type.Object({
    submitted: Type.Integer(),
    missed: Type.Integer(),
    failed: Type.Integer(),
    /** Other nodes' missed proofs this node reported. */
    reported: Type.Integer(),
    lastPeriod: Type.Union([Type.Integer(), Type.Null()]),
  }),
  gc: Type.Object({ runs: Type.Integer(), blocksRemoved: Type.Integer() }),
  heal: Type.Object({
    healed: Type.Integer({ description: "Places of dropped holders of hot blobs this node took and filled" }),
    fetchedBytes: Type.Integer({ description: "Replica bytes fetched from other holders to fill them" }),
    failed: Type.Integer({ description: "Heal attempts that failed (to be retried)" }),
  }),
  cold: Type.Object({
    shardsStored: Type.Integer({ description: "Shards taken in (uploads, migrations, repairs)" }),
    rebuilds: Type.Integer({ description: "Cold blobs rebuilt from shards" }),
    rebuiltBytes: Type.Integer(),
    cidMismatches: Type.Integer({
      description: "Rebuilds whose plain pass gave the wrong CID (whole shards read)",
    }),
    holdersLeftOut: Type.Integer({
      description:
        "Shard holders left out of a rebuild: their stream failed or their shard missed its commitment",
    }),
    repairs: Type.Integer({ description: "Shards of this node rebuilt from other holders" }),
    repairBytesIn: Type.Integer({ description: "Repair symbols received" }),
    repairBytesOut: Type.Integer({ description: "Repair symbols served to other holders" }),
    coldReads: Type.Integer({ description: "Reads that found a blob only in the cold tier" }),
    lazyLoads: Type.Integer({ description: "Cold blobs loaded into the hot tier by a read" }),
    promotions: Type.Integer({ description: "Hot copies of cold blobs kept hot for their reads" }),
    demotions: Type.Integer({ description: "Hot copies of cold blobs dropped for lack of reads" }),
    hotCopies: Type.Array(
      Type.Object({
        cid: Type.String(),
        blobId: Type.String(),
        reads: Type.Integer(),
        promoted: Type.Boolean(),
      }),
    ),
  }),
  buffers: Type.Object({
    inUse: Type.Integer({ description: "Block buffers held by uploads and reads in progress" }),
    free: Type.Integer({ description: "Block buffers waiting for reuse" }),
  }),
});

export type NodeStats = Static<typeof NodeStats>;
