import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { type Static, Type } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { CorsOrigins, DEFAULT_CORS_ORIGINS } from "../service/cors.ts";
import { LogLevel } from "../service/logger.ts";
import { DatastoreSpec, specProblems, storesOf } from "./datastore/datastore-spec.ts";
import { ConfigError } from "./errors.ts";

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

export const CachePolicy = Type.Union([Type.Literal("lru"), Type.Literal("fifo"), Type.Literal("lfu")]);
export type CachePolicyName = Static<typeof CachePolicy>;

/** What a node needs to run, validated at boot. */
export const NodeConfigSchema = Type.Object(
  {
    rpcUrl: Type.String({ pattern: "^(https?|wss?)://" }),
    deploymentFile: Type.String({ minLength: 1 }),
    nodeId: Type.Integer({ minimum: 1, maximum: 0xffffff }),
    /** The node's signing key (0x + 64 hex); attestations, proofs and enrolments are signed with it. */
    signerKey: Type.String({ pattern: "^0x[0-9a-fA-F]{64}$" }),
    dataDir: Type.String({ minLength: 1 }),
    /** Where clients reach this node (its registered endpoint); `strata node register` and `update` read it. */
    endpoint: Type.Optional(Type.String({ pattern: "^https?://" })),
    http: Type.Object({
      host: Type.String({ minLength: 1 }),
      port: Type.Integer({ minimum: 0, maximum: 65535 }),
      /** An upload (PUT /store, /shard) whose body stops arriving this long is dropped (408). */
      uploadIdleMs: Type.Optional(Type.Integer({ minimum: 10 })),
      /** Origins whose pages may call the node (CORS): `*` for any (the default), `[]` for none. */
      corsOrigins: Type.Optional(CorsOrigins),
    }),
    p2p: Type.Object({
      /** TCP port libp2p listens on (0: any). */
      port: Type.Integer({ minimum: 0, maximum: 65535 }),
      /** Addresses of other nodes' libp2p listeners to stay connected to (bitswap peers). */
      peers: Type.Array(Type.String()),
    }),
    storage: Type.Object({
      /**
       * StorageMax: bytes the data directory may take on disk, as `du` counts them (blocks,
       * datastore, shards, vaults, and the directories that hold them).
       */
      max: Type.Integer({ minimum: MiB }),
      /** At this percentage of `max`, the hot cache is evicted and garbage collected. */
      gcWatermark: Type.Integer({ minimum: 1, maximum: 100 }),
      /** Milliseconds between garbage collections. */
      gcPeriodMs: Type.Integer({ minimum: 1000 }),
      /** Blocks a collection checks and deletes at a time; uploads go on between batches. */
      gcBatch: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
      /** Bytes of the bloom filter in front of the blockstore (k = 7; 0: none). */
      bloomFilterSize: Type.Optional(Type.Integer({ minimum: 0, maximum: 1024 * MiB })),
      /**
       * The datastore spec (kubo's `Datastore.Spec`: mount, measure, flatfs, levelds, mem); kubo's
       * default when absent. Fixed once the data directory is made (`datastore_spec`).
       */
      spec: Type.Optional(DatastoreSpec),
      /** Largest upload accepted. */
      maxUploadBytes: Type.Integer({ minimum: 1 }),
    }),
    cache: Type.Object({
      capacity: Type.Integer({ minimum: 0 }),
      policy: CachePolicy,
      ttlMs: Type.Integer({ minimum: 1000 }),
    }),
    prover: Type.Object({
      enabled: Type.Boolean(),
      /** Poll interval for new periods and chain events. */
      pollMs: Type.Integer({ minimum: 100 }),
      /** Report the other nodes' missed proofs (the reporter earns part of the slash). */
      watchdog: Type.Boolean(),
    }),
    /** How the node follows the chain and sends its transactions. */
    chain: Type.Object({
      /**
       * Blocks built on top of what makes the node throw data away (a deletion, an ended term, a
       * registration reorged away) before it does so.
       */
      confirmations: Type.Integer({ minimum: 0, maximum: 64 }),
      /** How often receipts and new blocks are polled for (about the block time). */
      pollingMs: Type.Integer({ minimum: 50 }),
      /** A transaction without a receipt this long is taken as dropped and sent again. */
      receiptTimeoutMs: Type.Integer({ minimum: 1000 }),
    }),
    /** The cold tier: repairs and the policies that move blobs between the tiers. */
    cold: Type.Object({
      /** Take over the shards of dropped holders of cold blobs (reassignHolder) and rebuild them. */
      repair: Type.Boolean(),
      /** A cold blob read this many times while cached is promoted: kept hot, out of the TTL's reach. */
      promoteAfterReads: Type.Integer({ minimum: 1 }),
      /** A hot copy of a cold blob not read for this long is demoted: dropped from the hot tier. */
      demoteAfterMs: Type.Integer({ minimum: 100 }),
      /** How often the policies run. */
      policyPeriodMs: Type.Integer({ minimum: 100 }),
    }),
    /** The hot tier: take the place of a dropped holder of a hot blob, fetch and check the replica. */
    hot: Type.Optional(
      Type.Object({
        heal: Type.Boolean(),
      }),
    ),
    /** Names: the IPNS records of anchored names this node serves and republishes. */
    names: Type.Optional(
      Type.Object({
        /** How often kept records are checked against the chain and handed to the routers. */
        republishMs: Type.Integer({ minimum: 1000 }),
        /** Delegated routing endpoints (`PUT /routing/v1/ipns/{name}`), e.g. an indexer's URL. */
        routers: Type.Array(Type.String({ minLength: 1 })),
      }),
    ),
    /** Vaults: how long a vault that moved away is kept (read-only) before this node releases it. */
    vaults: Type.Optional(
      Type.Object({
        releaseAfterMs: Type.Integer({ minimum: 0 }),
      }),
    ),
    /**
     * Deliberate misbehaviour for demonstrations and crash tests: stop proving, lose a fraction of
     * each blob, or hold every vault job that reaches state `pauseVaultJobsAt` there.
     */
    fault: Type.Object({
      mode: Type.Union([Type.Literal("none"), Type.Literal("stop-proving"), Type.Literal("drop-data")]),
      dropFraction: Type.Number({ minimum: 0, maximum: 1 }),
      pauseVaultJobsAt: Type.Optional(Type.String({ minLength: 1 })),
    }),
    logLevel: LogLevel,
  },
  { additionalProperties: false },
);

export type NodeConfig = Static<typeof NodeConfigSchema>;

/** Defaults for everything but the chain, identity and data directory. */
export const nodeConfigDefaults = {
  http: { host: "127.0.0.1", port: 9100, uploadIdleMs: 30_000, corsOrigins: [...DEFAULT_CORS_ORIGINS] },
  p2p: { port: 0, peers: [] as string[] },
  storage: {
    max: 64 * GiB,
    gcWatermark: 90,
    gcPeriodMs: 60 * 60 * 1000,
    gcBatch: 1000,
    bloomFilterSize: MiB,
    maxUploadBytes: 8 * GiB,
  },
  cache: { capacity: 4 * GiB, policy: "lru" as CachePolicyName, ttlMs: 60 * 60 * 1000 },
  prover: { enabled: true, pollMs: 1000, watchdog: true },
  chain: { confirmations: 2, pollingMs: 500, receiptTimeoutMs: 30_000 },
  cold: { repair: true, promoteAfterReads: 3, demoteAfterMs: 24 * 60 * 60 * 1000, policyPeriodMs: 60 * 1000 },
  hot: { heal: true },
  names: { republishMs: 10 * 60 * 1000, routers: [] as string[] },
  vaults: { releaseAfterMs: 60 * 60 * 1000 },
  fault: { mode: "none" as const, dropFraction: 0 },
  logLevel: "info" as const,
};

/** Checks `raw` against the schema; names every problem. */
export function parseNodeConfig(raw: unknown): NodeConfig {
  if (Value.Check(NodeConfigSchema, raw)) {
    const spec = raw.storage.spec;
    const problems = spec ? specProblems(spec) : [];
    // pins, records and the peer store live under keys like /pins/…: something must hold them
    if (spec && !storesOf(spec).some((store) => store.mountpoint === "/"))
      problems.push("no store is mounted at / (the node keeps its pins, records and peer store there)");
    if (problems.length > 0)
      throw new ConfigError(`invalid node configuration: /storage/spec: ${problems.join("; ")}`);
    return raw;
  }
  const problems = [...Value.Errors(NodeConfigSchema, raw)]
    .slice(0, 10)
    .map((error) => `${error.path || "/"}: ${error.message}`);
  throw new ConfigError(`invalid node configuration: ${problems.join("; ")}`);
}

/**
 * The configuration of `strata-node` from a JSON file (`STRATA_NODE_CONFIG` or the argument),
 * over the defaults, with the signing key read from `signerKeyFile` when not inline. The only
 * place the node reads the environment.
 */
export async function loadNodeConfig(path = process.env.STRATA_NODE_CONFIG): Promise<NodeConfig> {
  if (!path) throw new ConfigError("no configuration: pass a JSON file or set STRATA_NODE_CONFIG");
  let file: Record<string, unknown>;
  try {
    file = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
  } catch (cause) {
    throw new ConfigError(`cannot read configuration ${path}`, { cause });
  }
  const { signerKeyFile, ...rest } = file;
  const signerKey =
    rest.signerKey ??
    (typeof signerKeyFile === "string"
      ? (await readFile(resolve(path, "..", signerKeyFile), "utf8")).trim()
      : undefined);
  const merged = {
    ...nodeConfigDefaults,
    ...rest,
    signerKey,
    http: { ...nodeConfigDefaults.http, ...(rest.http as object) },
    p2p: { ...nodeConfigDefaults.p2p, ...(rest.p2p as object) },
    storage: { ...nodeConfigDefaults.storage, ...(rest.storage as object) },
    cache: { ...nodeConfigDefaults.cache, ...(rest.cache as object) },
    prover: { ...nodeConfigDefaults.prover, ...(rest.prover as object) },
    chain: { ...nodeConfigDefaults.chain, ...(rest.chain as object) },
    cold: { ...nodeConfigDefaults.cold, ...(rest.cold as object) },
    fault: { ...nodeConfigDefaults.fault, ...(rest.fault as object) },
  };
  return parseNodeConfig(merged);
}
