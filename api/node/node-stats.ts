import { type Static, Type } from "@sinclair/typebox";
import { Nullable } from "../error-envelope.ts";

const Amount = (description: string) => Nullable(Type.String({ pattern: "^[0-9]+$", description }));

/**
 * The node's account on chain, read through its chain client at most every few seconds and never
 * waited on for long: when the chain is slow or unreachable the last values read are answered,
 * marked `stale`. Token amounts are base units of the deployment's token, gas in wei, as decimal
 * strings (null before the first read).
 */
export const NodeChainStatus = Type.Object({
  readAt: Nullable(Type.String({ description: "When these values were read (ISO 8601)" })),
  block: Nullable(Type.String({ description: "The block they were read at" })),
  stale: Type.Boolean({
    description: "The last read failed or did not finish in time: these are the last values known",
  }),
  error: Nullable(Type.String({ description: "Why the last read failed" })),
  standing: Type.Union(
    [Type.Literal("active"), Type.Literal("inactive"), Type.Literal("dropped"), Type.Literal("unknown")],
    {
      description:
        "active: takes new blobs; inactive: not active in the registry (unstaked, below the minimum, jailed); dropped: dropped by the proof system",
    },
  ),
  jailed: Nullable(Type.Boolean()),
  missesInRow: Nullable(Type.Integer({ description: "Periods missed in a row (a drop comes at the limit)" })),
  operator: Nullable(Type.String()),
  signer: Type.String({ description: "The node's signing key, which pays its transactions' gas" }),
  stake: Amount("Stake, token base units"),
  minStake: Amount("The registry's minimum stake, token base units"),
  signerGas: Amount("The signing key's balance, wei"),
  unclaimedPay: Amount(
    "What a claim would pay now, token base units: earnings on held blobs for proven, closed periods, plus credit from settled blobs and vault hosting",
  ),
  unclaimed: Nullable(
    Type.Object({
      blobs: Type.String({ description: "Earnings on held blobs not yet claimed" }),
      marketCredit: Type.String({ description: "Credit from settled blobs (StorageMarket.creditOf)" }),
      vaultCredit: Type.String({ description: "Vault hosting pay (VaultRegistry.creditOf)" }),
    }),
  ),
});

/**
 * What GET /stats answers: what the node stores, caches, serves and proves, and its account on
 * chain. `storage` and `cold.hotCopies` are read from what the node keeps on disk; the counters
 * (`uploads`, `reads`, `proofs`, `gc`, `heal`, the rest of `cold`, `cache`) count since
 * `startedAt` and start again from zero when the process restarts (as Prometheus counters do);
 * the chain's own record of proofs and pay is in `chain`.
 */
export const NodeStats = Type.Object({
  nodeId: Type.Integer(),
  peerId: Type.String(),
  startedAt: Type.String({
    description: "When this process started (ISO 8601): the counters count from then",
  }),
  uptimeSeconds: Type.Integer(),
  chain: NodeChainStatus,
  storage: Type.Object({
    max: Type.Integer({ description: "StorageMax: bytes the data directory may take on disk" }),
    usedBytes: Type.Integer({
      description:
        "Bytes the data directory takes on disk, as du counts them (blocks, datastore, shards, vaults, directories)",
    }),
    reservedBytes: Type.Integer({ description: "Disk bytes uploads in progress have yet to write" }),
    freeBytes: Type.Integer({ description: "Bytes the file system holding the data directory has left" }),
    freeInodes: Type.Integer({ description: "Inodes the file system holding the data directory has left" }),
    mounts: Type.Array(
      Type.Object({
        mountpoint: Type.String(),
        type: Type.String({ description: "flatfs, levelds or mem" }),
        usedBytes: Type.Integer(),
        entries: Nullable(
          Type.Integer({ description: "Values held (blocks, at /blocks), where the store counts them" }),
        ),
        files: Type.Integer(),
        inodes: Type.Integer({ description: "Files and directories" }),
      }),
      { description: "Each store of the datastore spec and what it takes on disk" },
    ),
    bloom: Type.Object(
      {
        bytes: Type.Integer({ description: "Configured size (0: no filter)" }),
        hashes: Type.Integer(),
        warm: Type.Boolean({ description: "Holds every stored block: negative has answered from memory" }),
        fillRatio: Type.Number(),
        falsePositiveRate: Type.Number({ description: "Estimated from the fill ratio" }),
        answered: Type.Integer({ description: "has calls answered absent from memory" }),
        passed: Type.Integer({ description: "has calls passed to the store" }),
        rebuilds: Type.Integer(),
      },
      { description: "The bloom filter in front of the blockstore" },
    ),
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
  gc: Type.Object({ runs: Type.Integer(), blocksRemoved: Type.Integer(), bytesFreed: Type.Integer() }),
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
export type NodeChainStatus = Static<typeof NodeChainStatus>;
