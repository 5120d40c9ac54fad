import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { type Static, Type } from "@sinclair/typebox";
import type { AppDeps } from "../deps.ts";
import { registerNodeMetrics } from "../prometheus-metrics.ts";

const Stats = Type.Object({
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

/** What GET /stats answers, and the node's metrics are read from. */
export type NodeStats = Static<typeof Stats>;

/** GET /stats, /health and /metrics. */
export function statusRoutes(deps: AppDeps): FastifyPluginAsyncTypebox {
  const stats = async (): Promise<NodeStats> => {
    const usage = deps.budget.usage();
    const cache = deps.cache.stats();
    const prover = deps.proverStats?.() ?? { submitted: 0, missed: 0, lastPeriod: null };
    let pinnedBlobs = 0;
    let droppedBlobs = 0;
    for await (const record of deps.records.all()) {
      pinnedBlobs += 1;
      if (record.dropped) droppedBlobs += 1;
    }
    const m = deps.metrics;
    const buffers = deps.stores.buffers.stats();
    return {
      nodeId: deps.chain.nodeId,
      peerId: deps.helia.libp2p.peerId.toString(),
      uptimeSeconds: m.uptimeSeconds(),
      storage: {
        max: usage.max,
        heldBytes: usage.held,
        cachedBytes: usage.cached,
        pinnedBlobs,
        droppedBlobs,
      },
      cache: { ...cache, policy: cache.policy },
      uploads: { count: m.uploads, bytes: m.uploadedBytes, refused: m.uploadsRefused },
      reads: { count: m.reads, bytes: m.readBytes },
      proofs: {
        submitted: prover.submitted,
        missed: prover.missed,
        failed: m.proofsFailed,
        reported: m.missesReported,
        lastPeriod: prover.lastPeriod,
      },
      gc: { runs: m.gcRuns, blocksRemoved: m.gcBlocksRemoved },
      heal: { ...(deps.healStats?.() ?? { healed: 0, fetchedBytes: 0, failed: 0 }) },
      cold: { ...deps.coldStats(), ...deps.tiering.stats, hotCopies: deps.tiering.copies() },
      buffers: { inUse: buffers.out, free: buffers.free },
    };
  };

  registerNodeMetrics(deps.registry, stats);
  return async (app) => {
    app.get(
      "/stats",
      { schema: { summary: "What the node stores, caches, serves and proves", response: { 200: Stats } } },
      stats,
    );

    app.get(
      "/health",
      {
        schema: {
          summary:
            "Liveness: the node is up, reaches the chain and takes uploads (503 with a code when dropped or inactive)",
          response: {
            200: Type.Object({ status: Type.Literal("ok"), nodeId: Type.Integer(), block: Type.String() }),
            503: Type.Object({
              status: Type.Literal("degraded"),
              nodeId: Type.Integer(),
              reason: Type.String(),
              code: Type.Optional(
                Type.String({
                  description: "NODE_ERR_NODE_DROPPED or NODE_ERR_NODE_INACTIVE: uploads are refused",
                }),
              ),
              message: Type.Optional(Type.String()),
            }),
          },
        },
      },
      async (_request, reply) => {
        const standing = await deps.standing.current();
        if (standing !== "active") {
          const code = standing === "dropped" ? "NODE_ERR_NODE_DROPPED" : "NODE_ERR_NODE_INACTIVE";
          const reason = `this node is ${standing} on chain: it serves what it holds and takes no uploads`;
          return reply
            .code(503)
            .send({ status: "degraded", nodeId: deps.chain.nodeId, reason, code, message: reason });
        }
        try {
          const block = await deps.chain.publicClient.getBlockNumber();
          return { status: "ok" as const, nodeId: deps.chain.nodeId, block: block.toString() };
        } catch (error) {
          return reply.code(503).send({
            status: "degraded" as const,
            nodeId: deps.chain.nodeId,
            reason: (error as Error).message,
          });
        }
      },
    );

    app.get(
      "/metrics",
      {
        schema: {
          summary: "Prometheus metrics: the node's counters, request latency, process metrics",
          produces: ["text/plain"],
          response: { 200: Type.String() },
        },
      },
      async (_request, reply) => reply.type(deps.registry.contentType).send(await deps.registry.metrics()),
    );
  };
}
